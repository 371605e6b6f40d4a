using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace OptOutGate.Rpc;

/// <summary>
/// Length-Prefixed-Message framing (PROTOCOL-HTTP2.md): a 1-byte compressed flag, a 4-byte big-endian length, the
/// message. DATA frame boundaries have no relation to message boundaries, so readers work on sequences.
/// </summary>
public static class MessageFraming
{
    public const int HeaderSize = 5;

    /// <summary>4 MiB, the receive limit of grpc-dotnet, grpc-js and grpc-go.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// Takes one whole message off the front of <paramref name="buffer"/>. Returns false when more bytes are needed
    /// (then <paramref name="buffer"/> is unchanged). The size limit is checked from the header, before the body is
    /// buffered, so an oversize message costs no memory.
    /// </summary>
    /// <exception cref="RpcException">INTERNAL for a bad flag, RESOURCE_EXHAUSTED over <paramref name="maxMessageSize"/>.</exception>
    public static bool TryReadMessage(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> message, out bool compressed)
    {
        message = default;
        compressed = false;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        compressed = header[0] switch
        {
            0 => false,
            1 => true,
            _ => throw new RpcException(StatusCode.Internal, $"Invalid compressed flag {header[0]} in a message header: expected 0 or 1."),
        };

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Received message of {length} bytes exceeds the maximum configured message size of {maxMessageSize} bytes.");
        }

        if (buffer.Length < HeaderSize + length)
        {
            return false;
        }

        message = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(message.End);
        return true;
    }

    /// <summary>Writes the 5-byte header for a message of <paramref name="length"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>Serializes <paramref name="message"/> straight into <paramref name="writer"/> with its header: one copy, no temporary array.</summary>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED when the message is larger than <paramref name="maxMessageSize"/>.</exception>
    public static void WriteMessage(IBufferWriter<byte> writer, IMessage message, int maxMessageSize = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        var size = message.CalculateSize();
        if (size > maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message of {size} bytes exceeds the maximum configured message size of {maxMessageSize} bytes.");
        }

        var span = writer.GetSpan(HeaderSize + size);
        WriteHeader(span, compressed: false, size);
        message.WriteTo(span.Slice(HeaderSize, size));
        writer.Advance(HeaderSize + size);
    }

    /// <summary>Writes an already-compressed message body with the compressed flag set.</summary>
    public static void WriteCompressed(IBufferWriter<byte> writer, ReadOnlySpan<byte> compressedBody)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(HeaderSize + compressedBody.Length);
        WriteHeader(span, compressed: true, compressedBody.Length);
        compressedBody.CopyTo(span[HeaderSize..]);
        writer.Advance(HeaderSize + compressedBody.Length);
    }
}
