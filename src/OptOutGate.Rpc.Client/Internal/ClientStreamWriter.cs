using System.Buffers;
using Google.Protobuf;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>The request stream of a client-streaming or duplex call: each message is framed from a pooled array, written and flushed.</summary>
internal sealed class ClientStreamWriter<T> : IClientStreamWriter<T>
    where T : class, IMessage<T>
{
    private readonly GrpcCall _call;
    private readonly StreamingRequestContent _content;
    private int _writing;
    private volatile bool _completed;

    public ClientStreamWriter(GrpcCall call, StreamingRequestContent content)
    {
        _call = call;
        _content = content;
    }

    /// <exception cref="RpcException">The call has ended with an error, or this message is over the send limit (which ends the call).</exception>
    /// <exception cref="InvalidOperationException">The stream was completed, the call ended OK, or another write is in progress.</exception>
    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_completed)
        {
            throw new InvalidOperationException("Can't write the message because the request stream is complete.");
        }

        ThrowIfCallEnded();
        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
        }

        byte[]? buffer = null;
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((GrpcCall)s!).CancelByClient(), _call)
            : default;
        try
        {
            int length;
            try
            {
                buffer = RequestFraming.Frame(message, _call.MaxSendMessageSize, _call.CompressRequests, out length);
            }
            catch (RpcException ex)
            {
                // A message over the limit ends the call, as in grpc-dotnet: the server must not see a partial stream.
                _call.TrySetResult(ex.Status, new Metadata());
                throw;
            }

            var stream = await _content.StreamTask;
            var token = _call.CallToken;
            await stream.WriteAsync(buffer.AsMemory(0, length), token);

            // SocketsHttpHandler buffers request DATA until flushed; a streaming peer must see each message now.
            await stream.FlushAsync(token);
        }
        catch (Exception ex) when (ex is not RpcException and not InvalidOperationException)
        {
            throw WriteFailure(ex);
        }
        finally
        {
            registration.Dispose();
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>Half-closes the call (END_STREAM); the response, if any, follows.</summary>
    public Task CompleteAsync()
    {
        if (Volatile.Read(ref _writing) == 1)
        {
            throw new InvalidOperationException("Can't complete the request stream while a write is in progress.");
        }

        _completed = true;
        _content.Complete();
        return Task.CompletedTask;
    }

    private void ThrowIfCallEnded()
    {
        if (_call.Result is { } result)
        {
            throw result.Status.Code == StatusCode.OK
                ? new InvalidOperationException("Can't write the message because the call is complete.")
                : result.ToException();
        }
    }

    /// <summary>
    /// A failed write does not set the call's status: when the server ended the call, its status arrives in the
    /// trailers, which the response side reads.
    /// </summary>
    private Exception WriteFailure(Exception ex)
    {
        if (ex is AggregateException { InnerException: { } inner })
        {
            ex = inner;
        }

        if (_call.Result is { } result)
        {
            return result.Status.Code == StatusCode.OK
                ? new InvalidOperationException("Can't write the message because the call is complete.")
                : result.ToException();
        }

        return new RpcException(_call.StatusFromException(ex, "Error writing the message."));
    }
}
