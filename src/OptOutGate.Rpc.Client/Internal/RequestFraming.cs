using System.Buffers;
using Google.Protobuf;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>
/// Serializes a request message with its 5-byte header into an array from <see cref="ArrayPool{T}.Shared"/>: one copy
/// and no garbage per message on the uncompressed path.
/// </summary>
internal static class RequestFraming
{
    /// <summary>Returns a rented array holding the framed message in its first <paramref name="length"/> bytes; the caller returns it.</summary>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED when the message is larger than <paramref name="maxSendSize"/>.</exception>
    public static byte[] Frame(IMessage message, int maxSendSize, bool compress, out int length)
    {
        var size = message.CalculateSize();
        ThrowIfTooLarge(size, maxSendSize);
        if (compress)
        {
            return FrameCompressed(message, size, out length);
        }

        length = MessageFraming.HeaderSize + size;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        MessageFraming.WriteHeader(buffer, compressed: false, size);
        message.WriteTo(buffer.AsSpan(MessageFraming.HeaderSize, size));
        return buffer;
    }

    /// <summary><see cref="Frame(IMessage, int, bool, out int)"/> for a message serialized by the caller.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> encoded, int maxSendSize, bool compress, out int length)
    {
        ThrowIfTooLarge(encoded.Length, maxSendSize);
        if (compress)
        {
            return FrameCompressed(MessageCompression.CompressGzip(encoded), out length);
        }

        length = MessageFraming.HeaderSize + encoded.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        MessageFraming.WriteHeader(buffer, compressed: false, encoded.Length);
        encoded.CopyTo(buffer.AsSpan(MessageFraming.HeaderSize));
        return buffer;
    }

    private static void ThrowIfTooLarge(int size, int maxSendSize)
    {
        if (size > maxSendSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message exceeds the maximum configured message size ({size} > {maxSendSize} bytes).");
        }
    }

    private static byte[] FrameCompressed(IMessage message, int size, out int length)
    {
        var plain = ArrayPool<byte>.Shared.Rent(size);
        byte[] compressed;
        try
        {
            message.WriteTo(plain.AsSpan(0, size));
            compressed = MessageCompression.CompressGzip(plain.AsSpan(0, size));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }

        return FrameCompressed(compressed, out length);
    }

    private static byte[] FrameCompressed(byte[] compressed, out int length)
    {
        length = MessageFraming.HeaderSize + compressed.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        MessageFraming.WriteHeader(buffer, compressed: true, compressed.Length);
        compressed.CopyTo(buffer.AsSpan(MessageFraming.HeaderSize));
        return buffer;
    }
}
