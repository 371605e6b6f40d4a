using Google.Protobuf;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>The response stream of a server-streaming or duplex call.</summary>
internal sealed class ResponseStreamReader<T> : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private readonly GrpcCall _call;
    private readonly RawMessageDecoder<T> _decode;
    private T? _current;

    public ResponseStreamReader(GrpcCall call, RawMessageDecoder<T> decode)
    {
        _call = call;
        _decode = decode;
    }

    public T Current => _current ?? throw new InvalidOperationException("No current message: call MoveNextAsync first.");

    /// <remarks>Cancelling <paramref name="cancellationToken"/> cancels the whole call (CANCELLED, RST_STREAM).</remarks>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        var message = await _call.ReadStreamMessageAsync(_decode, cancellationToken);
        if (message is null)
        {
            _current = null;
            return false;
        }

        _current = message;
        return true;
    }
}
