using System.Threading.Channels;
using OptOutGate.Contracts.V1;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Server;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Mo;

/// <summary>
/// One StreamMo call. Messages are read in order and each is recorded on its own (up to
/// <see cref="Core.Mo.MoOptions.StreamConcurrency"/> at once), so results come back as they become durable, in any
/// order, each naming its carrier message id. A malformed message, an unknown inbound address or a failed write is an
/// error result for that message and the stream goes on. Results go through a bounded channel to one writer; when the
/// carrier stops reading them, the channel fills and this call stops reading messages (its own back-pressure), while
/// other streams and the shared write pipeline carry on. Draining ends the stream with UNAVAILABLE; messages without a
/// result by then must be sent again (their retries are DUPLICATE if they were recorded).
/// </summary>
internal sealed class MoStreamSession
{
    private const int ResponseBuffer = 256;

    private readonly MoHost _host;
    private readonly CallIdentity _identity;
    private readonly IServerStreamWriter<StreamMoResponse> _responses;
    private readonly CancellationToken _draining;
    private readonly CancellationTokenSource _stream;
    private readonly SemaphoreSlim _inFlight;
    private readonly Channel<StreamMoResponse> _outbox = Channel.CreateBounded<StreamMoResponse>(
        new BoundedChannelOptions(ResponseBuffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting = 1;

    public MoStreamSession(MoHost host, CallIdentity identity, IServerStreamWriter<StreamMoResponse> responses, CancellationToken call, CancellationToken draining)
    {
        _host = host;
        _identity = identity;
        _responses = responses;
        _draining = draining;
        _stream = CancellationTokenSource.CreateLinkedTokenSource(call, draining);
        _inFlight = new SemaphoreSlim(Math.Max(1, host.Options.StreamConcurrency));
    }

    public async Task RunAsync(IAsyncStreamReader<StreamMoRequest> requests)
    {
        var token = _stream.Token;
        var writer = WriteResponsesAsync(token);
        try
        {
            while (await requests.MoveNextAsync(token))
            {
                var message = requests.Current.Message;
                await _inFlight.WaitAsync(token);
                Interlocked.Increment(ref _waiting);
                _ = RecordAsync(message, token);
            }

            // The carrier finished sending: answer what is still in flight, then end with OK.
            Release();
            await _idle.Task.WaitAsync(token);
            _outbox.Writer.TryComplete();
            await writer;
        }
        catch (OperationCanceledException) when (_draining.IsCancellationRequested)
        {
            await StopAsync(writer);
            throw new RpcException(StatusCode.Unavailable, "OptOutGate is shutting down; messages without a result were not necessarily recorded: send them again.");
        }
        catch
        {
            await StopAsync(writer);
            throw;
        }
        finally
        {
            _stream.Dispose();
        }
    }

    private async Task RecordAsync(MoMessage? message, CancellationToken token)
    {
        try
        {
            MoResult result;
            try
            {
                if (message is null)
                {
                    result = Error("", StatusCode.InvalidArgument, "message: required.");
                }
                else
                {
                    var (_, processor) = await _host.RequireAsync(token);
                    result = await processor.RecordAsync(_identity.TenantId, _identity.KeyId, message, token);
                }
            }
            catch (RpcException e)
            {
                result = Error(message?.CarrierMessageId ?? "", e.StatusCode, e.Status.Detail);
            }

            await _outbox.Writer.WriteAsync(new StreamMoResponse { Result = result }, token);
        }
        catch (OperationCanceledException)
        {
            // The stream is ending; this message goes unanswered, as the contract allows.
        }
        catch (ChannelClosedException)
        {
            // Same.
        }
        finally
        {
            _inFlight.Release();
            Release();
        }
    }

    private static MoResult Error(string carrierMessageId, StatusCode code, string message) => new()
    {
        CarrierMessageId = carrierMessageId,
        Error = new ItemError { Code = (int)code, Message = message },
    };

    private async Task StopAsync(Task writer)
    {
        _outbox.Writer.TryComplete();
        await _stream.CancelAsync();
        try
        {
            await writer;
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-write.
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _waiting) == 0)
        {
            _idle.TrySetResult();
        }
    }

    private async Task WriteResponsesAsync(CancellationToken token)
    {
        await foreach (var response in _outbox.Reader.ReadAllAsync(token))
        {
            await _responses.WriteAsync(response, token);
        }
    }
}
