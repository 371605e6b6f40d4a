using System.Buffers;
using System.Buffers.Binary;
using Grpc.Core;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// Length-Prefixed-Message framing (PROTOCOL-HTTP2.md): a 1-byte compressed flag, a 4-byte big-endian length, the
/// message. DATA frame boundaries have no relation to message boundaries, so the reader works on sequences.
/// </summary>
internal static class MessageFraming
{
    public const int HeaderSize = 5;

    /// <summary>Takes one whole message off the front of <paramref name="buffer"/>; false when more bytes are needed.</summary>
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
            _ => throw new RpcException(new Status(StatusCode.Internal, $"Invalid compressed flag {header[0]} in a message header: expected 0 or 1.")),
        };

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Received message of {length} bytes exceeds the maximum message size of {maxMessageSize} bytes."));
        }

        if (buffer.Length < HeaderSize + length)
        {
            return false;
        }

        message = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(message.End);
        return true;
    }

    /// <summary>A copy of <paramref name="message"/> with its header in front, uncompressed: framed once, sent as is.</summary>
    public static byte[] Framed(byte[] message)
    {
        var framed = new byte[HeaderSize + message.Length];
        WriteHeader(framed, compressed: false, message.Length);
        message.CopyTo(framed, HeaderSize);
        return framed;
    }

    /// <summary>Writes the 5-byte header for a message of <paramref name="length"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }
}
