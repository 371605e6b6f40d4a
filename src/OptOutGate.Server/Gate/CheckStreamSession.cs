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
/// <see cref="ItemError"/> and the stream goes on. Responses go through a <see cref="StreamOutbox{TResponse}"/> (one
/// writer; a full outbox stops reading requests, which is the stream's back-pressure). The
/// stream ends with UNAVAILABLE when the host starts draining, or when the node stops serving (a replica that fell
/// behind its primary beyond the bound): it never goes on answering from a stale copy.
/// </summary>
internal sealed class CheckStreamSession
{
    private const int ResponseBuffer = 64;

    private readonly GateService _service;
    private readonly GateEngineHost _engineHost;
    private readonly CallIdentity _identity;
    private readonly StreamOutbox<CheckStreamResponse> _outbox;

    public CheckStreamSession(
        GateService service,
        GateEngineHost engineHost,
        CallIdentity identity,
        IServerStreamWriter<CheckStreamResponse> responses,
        CancellationToken call,
        CancellationToken draining,
        CancellationToken notServing)
    {
        _service = service;
        _engineHost = engineHost;
        _identity = identity;
        _outbox = new StreamOutbox<CheckStreamResponse>(
            responses,
            ResponseBuffer,
            call,
            new StreamEnding(draining, "OptOutGate is shutting down; requests without a response were not answered: retry them on another instance."),
            new StreamEnding(notServing, "This OptOutGate replica fell behind its primary beyond its bound and stopped serving; requests without a response were not answered: retry them on another node."));
    }

    public Task RunAsync(IAsyncStreamReader<CheckStreamRequest> requests) => _outbox.ServeAsync(token => ReadRequestsAsync(requests, token));

    private async Task ReadRequestsAsync(IAsyncStreamReader<CheckStreamRequest> requests, CancellationToken token)
    {
        while (await requests.MoveNext(token))
        {
            var request = requests.Current;
            var answer = AnswerAsync(request, token);
            if (answer.IsCompleted)
            {
                await _outbox.PostAsync(answer.Result);
            }
            else
            {
                _outbox.BeginPending();
                _ = FinishAsync(answer);
            }
        }
    }

    private async Task FinishAsync(ValueTask<CheckStreamResponse> answer)
    {
        try
        {
            await _outbox.PostAsync(await answer);
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
    private ValueTask<CheckStreamResponse> AnswerAsync(CheckStreamRequest request, CancellationToken token)
    {
        try
        {
            var batch = request.Batch;
            if (batch is null)
            {
                return new(Error(request, StatusCode.InvalidArgument, "batch: required."));
            }

            if (CheckBatchValidation.Validate(batch) is { } invalid)
            {
                return new(Error(request, StatusCode.InvalidArgument, invalid));
            }

            var maxWait = DefaultOrGiven(request);
            if (maxWait < TimeSpan.Zero)
            {
                return new(Error(request, StatusCode.InvalidArgument, "max_wait: must not be negative."));
            }

            var checks = _engineHost.RequireChecks();
            var check = _service.CheckAsync(checks, batch, _identity, token, maxWait);
            return check.IsCompletedSuccessfully ? new(Answer(request, check.Result)) : AnswerLaterAsync(request, check);
        }
        catch (RpcException e)
        {
            return new(Error(request, e.StatusCode, e.Status.Detail));
        }
    }

    private static async ValueTask<CheckStreamResponse> AnswerLaterAsync(CheckStreamRequest request, ValueTask<CheckBatchResponse> check)
    {
        try
        {
            return Answer(request, await check);
        }
        catch (RpcException e)
        {
            return Error(request, e.StatusCode, e.Status.Detail);
        }
    }

    private static TimeSpan DefaultOrGiven(CheckStreamRequest request) =>
        request.MaxWait is null ? GateService.DefaultMaxWait : request.MaxWait.ToTimeSpan();

    private static CheckStreamResponse Answer(CheckStreamRequest request, CheckBatchResponse batch) =>
        new() { RequestId = request.RequestId, Batch = batch };

    private static CheckStreamResponse Error(CheckStreamRequest request, StatusCode code, string message) =>
        new() { RequestId = request.RequestId, Error = new ItemError { Code = (int)code, Message = message } };
}
