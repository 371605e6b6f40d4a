using System.Buffers;
using System.Net;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>
/// The body of a unary or server-streaming request: one framed message from a pooled array. The array is kept until
/// the content is disposed, not returned after the first write, because SocketsHttpHandler may send the body again
/// when it retries a request on a new connection (GOAWAY before the stream was processed).
/// </summary>
internal sealed class UnaryRequestContent : HttpContent
{
    private const int Idle = 0;
    private const int Writing = 1;
    private const int Returned = 2;
    private const int ReturnAfterWrite = 3;

    private readonly byte[] _buffer;
    private readonly int _length;
    private int _state;

    public UnaryRequestContent(byte[] rentedBuffer, int length)
    {
        _buffer = rentedBuffer;
        _length = length;
        Headers.ContentType = RequestHeaders.ContentType;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Writing, Idle) != Idle)
        {
            throw new ObjectDisposedException(nameof(UnaryRequestContent));
        }

        ValueTask write;
        try
        {
            write = stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
        }
        catch
        {
            EndWrite();
            throw;
        }

        if (write.IsCompletedSuccessfully)
        {
            EndWrite();
            return Task.CompletedTask;
        }

        return AwaitWriteAsync(write);
    }

    // Unknown length, as grpc-dotnet's PushUnaryContent: no content-length header, the body ends with END_STREAM.
    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == Idle && Interlocked.CompareExchange(ref _state, Returned, Idle) == Idle)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                break;
            }

            // A write in flight still reads the array: the write returns it when it ends.
            if (state != Writing || Interlocked.CompareExchange(ref _state, ReturnAfterWrite, Writing) == Writing)
            {
                break;
            }
        }

        base.Dispose(disposing);
    }

    private async Task AwaitWriteAsync(ValueTask write)
    {
        try
        {
            await write;
        }
        finally
        {
            EndWrite();
        }
    }

    private void EndWrite()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Writing) != Writing)
        {
            Volatile.Write(ref _state, Returned);
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
