using System.Threading.Channels;
using OptOutGate.Contracts.V1;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Server;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Mo;

/// <summary>
/// One StreamMo call. Messages are read in order and each is recorded on its own (up to
/// <see cref="OptOutGate.Engine.Mo.MoOptions.StreamConcurrency"/> at once), so results come back as they become durable, in any
/// order, each naming its carrier message id. A malformed message, an unknown inbound address or a failed write is an
/// error result for that message and the stream goes on. Results go through a <see cref="StreamOutbox{TResponse}"/>;
/// when the carrier stops reading them, it fills and this call stops reading messages (its own back-pressure), while
/// other streams and the shared write pipeline carry on. Draining ends the stream with UNAVAILABLE; messages without a
/// result by then must be sent again (their retries are DUPLICATE if they were recorded).
/// </summary>
internal sealed class MoStreamSession
{
    private const int ResponseBuffer = 256;

    private readonly MoHost _host;
    private readonly CallIdentity _identity;
    private readonly CancellationToken _draining;
    private readonly SemaphoreSlim _inFlight;
    private readonly StreamOutbox<StreamMoResponse> _outbox;

    public MoStreamSession(MoHost host, CallIdentity identity, IServerStreamWriter<StreamMoResponse> responses, CancellationToken call, CancellationToken draining)
    {
        _host = host;
        _identity = identity;
        _draining = draining;
        _outbox = new StreamOutbox<StreamMoResponse>(responses, ResponseBuffer, call, draining);
        _inFlight = new SemaphoreSlim(Math.Max(1, host.Options.StreamConcurrency));
    }

    public async Task RunAsync(IAsyncStreamReader<StreamMoRequest> requests)
    {
        var token = _outbox.Token;
        try
        {
            while (await requests.MoveNextAsync(token))
            {
                var message = requests.Current.Message;
                await _inFlight.WaitAsync(token);
                _outbox.BeginPending();
                _ = RecordAsync(message, token);
            }

            // The carrier finished sending: answer what is still in flight, then end with OK.
            await _outbox.CompleteAsync();
        }
        catch (OperationCanceledException) when (_draining.IsCancellationRequested)
        {
            await _outbox.StopAsync();
            throw new RpcException(StatusCode.Unavailable, "OptOutGate is shutting down; messages without a result were not necessarily recorded: send them again.");
        }
        catch
        {
            await _outbox.StopAsync();
            throw;
        }
        finally
        {
            _outbox.Dispose();
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
                    var outcome = await processor.RecordAsync(_identity.TenantId, _identity.KeyId, message, token);
                    result = outcome.Failure is { } failure
                        ? Error(message.CarrierMessageId, EngineErrors.StatusOf(failure.Kind), failure.Message)
                        : outcome.Result!;
                }
            }
            catch (RpcException e)
            {
                result = Error(message?.CarrierMessageId ?? "", e.StatusCode, e.Status.Detail);
            }

            await _outbox.PostAsync(new StreamMoResponse { Result = result });
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
            _outbox.EndPending();
        }
    }

    private static MoResult Error(string carrierMessageId, StatusCode code, string message) => new()
    {
        CarrierMessageId = carrierMessageId,
        Error = new ItemError { Code = (int)code, Message = message },
    };
}
