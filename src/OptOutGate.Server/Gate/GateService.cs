using System.Buffers;
using System.Diagnostics;
using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.Decisions;
using OptOutGate.Engine.Recipients;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tenancy;
using GateContract = OptOutGate.Contracts.V1.Gate;

namespace OptOutGate.Server.Gate;

/// <summary>
/// optoutgate.v1.Gate: CheckBatch and the pipelined CheckStream over <see cref="CheckEngine"/>. The tenant is always the
/// call's <see cref="CallIdentity"/>. Per batch: validate, then one call into the engine
/// (<see cref="CheckEngine.CheckAsync"/>: min_sequence, the check, CONFIRMATION windows, explanations), whose error, if
/// any, becomes the call's status (<see cref="StatusMapping.Exception"/>).
/// <para>
/// CheckBatch is served by <see cref="CheckBatchRawAsync"/>, bound with the codec's marshallers
/// (<see cref="CheckBatchCodec.Method"/>, Hosting/GateApiServices): request bytes to response bytes without a string per
/// recipient or an enum per verdict; CheckStream likewise by <see cref="CheckStreamRawAsync"/> (<see cref="CheckStreamCodec"/>).
/// <see cref="CheckBatch"/> is the same check over the generated messages, for the JSON API's transcoding.
/// </para>
/// </summary>
internal sealed class GateService(GateEngineHost engineHost, GateMetrics metrics, IHostApplicationLifetime lifetime, ServerReadiness readiness)
    : GateContract.GateBase
{
    /// <summary>How long a CheckStream request may wait for min_sequence when it sets no max_wait (gate.proto).</summary>
    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// CheckBatch as bound: the request was decoded by <see cref="CheckBatchCodec.ReadRequest"/> straight from its bytes
    /// (no string per recipient: 69 KB → under 100 B allocated per 1,000-recipient batch, tests/OptOutGate.Benchmarks/README.md),
    /// and the verdicts are written packed from a pooled array by <see cref="CheckBatchCodec.WriteResponse(CheckBatchOutput, SerializationContext)"/>.
    /// </summary>
    public Task<CheckBatchOutput> CheckBatchRawAsync(CheckBatchInput input, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        var identity = CallIdentity.Of(context);
        var disposeInput = true;
        try
        {
            if (CheckBatchValidation.Validate(input.Sender, input.App, input.SmsType, input.Count) is { } error)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, error));
            }

            // The call's token is cancelled at its deadline (a min_sequence wait included); grpc-dotnet then answers DEADLINE_EXCEEDED.
            var checks = engineHost.RequireChecks();
            var check = CheckRawAsync(checks, QueryOf(input, identity, maxWait: null), input, context.CancellationToken);
            if (!check.IsCompleted)
            {
                disposeInput = false;
                return DisposeAfterAsync(check, input);
            }

            return Task.FromResult(check.Result);
        }
        finally
        {
            if (disposeInput)
            {
                input.Dispose();
            }
        }
    }

    /// <summary>CheckBatch from a parsed message: the generated-class path, which the JSON API's transcoding calls.</summary>
    public override Task<CheckBatchResponse> CheckBatch(CheckBatchRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var identity = CallIdentity.Of(context);
        if (CheckBatchValidation.Validate(request) is { } error)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, error));
        }

        // The call's token is cancelled at its deadline; grpc-dotnet then answers DEADLINE_EXCEEDED.
        var checks = engineHost.RequireChecks();
        return CheckAsync(checks, request, identity, context.CancellationToken).AsTask();
    }

    /// <summary>CheckStream as bound (<see cref="CheckStreamCodec.Method"/>): each request's batch is checked as CheckBatch's raw path checks it.</summary>
    public Task CheckStreamRawAsync(IAsyncStreamReader<CheckStreamInput> requestStream, IServerStreamWriter<CheckStreamOutput> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var identity = CallIdentity.Of(context);
        return new CheckStreamSession(this, engineHost, identity, responseStream, context.CancellationToken, lifetime.ApplicationStopping, readiness.ServingToken)
            .RunAsync(requestStream);
    }

    /// <summary>One CheckStream batch (validated by the session), which may wait <paramref name="maxWait"/> for its min_sequence.</summary>
    internal ValueTask<CheckBatchOutput> CheckStreamBatchAsync(CheckEngine checks, CheckBatchInput input, CallIdentity identity, TimeSpan maxWait, CancellationToken ct) =>
        CheckRawAsync(checks, QueryOf(input, identity, maxWait), input, ct);

    /// <summary>The engine's query for a raw batch of the caller's tenant; <paramref name="maxWait"/> null = the call's deadline.</summary>
    private static CheckQuery QueryOf(CheckBatchInput input, CallIdentity identity, TimeSpan? maxWait) =>
        new(identity.TenantId, input.Sender, input.App, input.SmsType, input.Explain, identity.KeyId, input.MinSequence, maxWait);

    private async ValueTask<CheckBatchResponse> CheckAsync(CheckEngine checks, CheckBatchRequest request, CallIdentity identity, CancellationToken ct)
    {
        var texts = request.Recipients.Count;
        var count = texts + request.RecipientsE164.Count;
        var numbers = ArrayPool<ulong>.Shared.Rent(Math.Max(count, 1));
        var verdicts = ArrayPool<Verdict>.Shared.Rent(Math.Max(count, 1));
        try
        {
            // Text recipients first, then the compact ones (gate.proto), each tested against the numbering plan.
            CheckEngine.ParseRecipients(request.Recipients, numbers);
            request.RecipientsE164.CopyTo(numbers, texts);
            NumberingPlan.Table.KeepValid(numbers.AsSpan(texts, count - texts));
            var query = new CheckQuery(identity.TenantId, request.Sender, request.App, request.SmsType, request.Explain, identity.KeyId, request.MinSequence);
            var response = new CheckBatchResponse();
            var result = await RunCheckAsync(checks, query, numbers.AsMemory(0, count), verdicts.AsMemory(0, count), query.Explain ? response.Explanations : null, ct);
            var packed = response.Verdicts;
            packed.Capacity = count;
            for (var i = 0; i < count; i++)
            {
                packed.Add(verdicts[i]);
            }

            response.Counts = result.Counts.ToMessage();
            response.Sequence = result.Sequence;
            return response;
        }
        finally
        {
            ArrayPool<Verdict>.Shared.Return(verdicts);
            ArrayPool<ulong>.Shared.Return(numbers);
        }
    }

    private static async Task<CheckBatchOutput> DisposeAfterAsync(ValueTask<CheckBatchOutput> check, CheckBatchInput input)
    {
        using (input)
        {
            return await check;
        }
    }

    private async ValueTask<CheckBatchOutput> CheckRawAsync(CheckEngine checks, CheckQuery query, CheckBatchInput input, CancellationToken ct)
    {
        var output = CheckBatchOutput.Rent(input.Count, input.Explain);
        try
        {
            var result = await RunCheckAsync(checks, query, input.Recipients, output.Verdicts, output.Explanations, ct);
            output.Complete(result.Counts, result.Sequence);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>The check itself, for both response shapes: verdicts (and explanations) written where given, metrics kept.</summary>
    private async ValueTask<CheckResult> RunCheckAsync(
        CheckEngine checks, CheckQuery query, ReadOnlyMemory<ulong> recipients, Memory<Verdict> verdicts, IList<Explanation>? explanations, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await checks.CheckAsync(query, recipients, verdicts, explanations, ct);
        if (result.Error is { } error)
        {
            // Stopped applying, min_sequence out of range or not reached in time, a CONFIRMATION window that cannot be
            // spent: never an answer with verdicts.
            throw StatusMapping.Exception(error);
        }

        metrics.BatchChecked(result.Counts, recipients.Length, Stopwatch.GetElapsedTime(started));
        return result;
    }
}
