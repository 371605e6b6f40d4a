using System.Threading.Channels;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Gate;

/// <summary>
/// One CheckStream call. Requests are read in order; a request that can be answered at once is answered in order, and
/// one that must wait (for <c>min_sequence</c>, or for a CONFIRMATION's durable write) continues on its own while later
/// requests go ahead, so answers may come out of order (gate.proto). A bad or failed request gets an
/// <see cref="ItemError"/> and the stream goes on. Responses go through a <see cref="StreamOutbox{TResponse}"/>: those
/// answered at once are written by this loop and flushed when it has no further request at hand, the others by the
/// outbox's writer; a full outbox or a response stream the client does not read stops reading requests (the stream's
/// back-pressure). The
/// stream ends with UNAVAILABLE when the host starts draining, or when the node stops serving (a replica that fell
/// behind its primary beyond the bound): it never goes on answering from a stale copy. Requests and answers are
/// CheckBatch's raw forms (<see cref="CheckStreamCodec"/>): no string per recipient, verdicts written packed.
/// </summary>
internal sealed class CheckStreamSession
{
    private const int ResponseBuffer = 64;

    private readonly GateService _service;
    private readonly GateEngineHost _engineHost;
    private readonly CallIdentity _identity;
    private readonly StreamOutbox<CheckStreamOutput> _outbox;

    public CheckStreamSession(
        GateService service,
        GateEngineHost engineHost,
        CallIdentity identity,
        IServerStreamWriter<CheckStreamOutput> responses,
        CancellationToken call,
        CancellationToken draining,
        CancellationToken notServing)
    {
        _service = service;
        _engineHost = engineHost;
        _identity = identity;
        _outbox = new StreamOutbox<CheckStreamOutput>(
            responses,
            ResponseBuffer,
            call,
            new StreamEnding(draining, "OptOutGate is shutting down; requests without a response were not answered: retry them on another instance."),
            new StreamEnding(notServing, "This OptOutGate replica fell behind its primary beyond its bound and stopped serving; requests without a response were not answered: retry them on another node."));
    }

    public Task RunAsync(IAsyncStreamReader<CheckStreamInput> requests) => _outbox.ServeAsync(token => ReadRequestsAsync(requests, token));

    private async Task ReadRequestsAsync(IAsyncStreamReader<CheckStreamInput> requests, CancellationToken token)
    {
        while (await _outbox.MoveNextAsync(requests, token))
        {
            var request = requests.Current;
            var answer = AnswerAsync(request, token);
            if (answer.IsCompleted)
            {
                request.Dispose();
                await _outbox.WriteInlineAsync(answer.Result);
            }
            else
            {
                _outbox.BeginPending();
                _ = FinishAsync(request, answer);
            }
        }
    }

    private async Task FinishAsync(CheckStreamInput request, ValueTask<CheckStreamOutput> answer)
    {
        try
        {
            var output = await answer;
            request.Dispose();
            await _outbox.PostAsync(output);
        }
        catch (OperationCanceledException)
        {
            // The stream is ending; this request goes unanswered, as the contract allows.
        }
        catch (ChannelClosedException)
        {
            // Same.
        }
        finally
        {
            _outbox.EndPending();
        }
    }

    /// <summary>The answer to one request: its verdicts, or an error for its id. Synchronous unless it has to wait.</summary>
    private ValueTask<CheckStreamOutput> AnswerAsync(CheckStreamInput request, CancellationToken token)
    {
        var id = request.RequestId;
        try
        {
            if (request.Batch is not { } batch)
            {
                return new(CheckStreamOutput.Failure(id, StatusCode.InvalidArgument, "batch: required."));
            }

            if (CheckBatchValidation.Validate(batch.Sender, batch.App, batch.SmsType, batch.Count) is { } invalid)
            {
                return new(CheckStreamOutput.Failure(id, StatusCode.InvalidArgument, invalid));
            }

            if (request.MaxWaitInvalid)
            {
                return new(CheckStreamOutput.Failure(id, StatusCode.InvalidArgument, "max_wait: not a valid Duration (nanos within ±999,999,999 and of the seconds' sign, at most 10,000 years)."));
            }

            var maxWait = request.MaxWait ?? GateService.DefaultMaxWait;
            if (maxWait < TimeSpan.Zero)
            {
                return new(CheckStreamOutput.Failure(id, StatusCode.InvalidArgument, "max_wait: must not be negative."));
            }

            var checks = _engineHost.RequireChecks();
            var check = _service.CheckStreamBatchAsync(checks, batch, _identity, maxWait, token);
            return check.IsCompletedSuccessfully ? new(CheckStreamOutput.Answer(id, check.Result)) : AnswerLaterAsync(id, check);
        }
        catch (RpcException e)
        {
            return new(CheckStreamOutput.Failure(id, e.StatusCode, e.Status.Detail));
        }
    }

    private static async ValueTask<CheckStreamOutput> AnswerLaterAsync(ulong id, ValueTask<CheckBatchOutput> check)
    {
        try
        {
            return CheckStreamOutput.Answer(id, await check);
        }
        catch (RpcException e)
        {
            return CheckStreamOutput.Failure(id, e.StatusCode, e.Status.Detail);
        }
    }
}
