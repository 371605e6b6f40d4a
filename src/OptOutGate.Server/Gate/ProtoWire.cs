using System.Buffers;
using System.Runtime.CompilerServices;

namespace OptOutGate.Server.Gate;

/// <summary>
/// The few pieces of the protobuf wire format (protobuf.dev/programming-guides/encoding) that the hot path's codecs
/// (<see cref="CheckBatchCodec"/>, <see cref="CheckStreamCodec"/>) read and write by hand. Google.Protobuf's own
/// readers work on its generated messages (a string per recipient, a boxed list per batch); its <c>CodedInputStream</c>
/// could read these fields too, but not over a span the codecs hold without copying each field out.
/// </summary>
internal static class ProtoWire
{
    /// <summary>Reads one message from its bytes as one span, with <paramref name="state"/> beside it.</summary>
    public delegate TResult SpanReader<TState, TResult>(ReadOnlySpan<byte> bytes, TState state);

    public const int VarintType = 0;
    public const int Fixed64Type = 1;
    public const int LengthType = 2;
    public const int Fixed32Type = 5;

    /// <summary>
    /// Hands <paramref name="read"/> the message's bytes as one span: in place when they are one segment (the usual case),
    /// else copied once into a pooled buffer (a message that arrived in several HTTP/2 frames or pipe segments).
    /// </summary>
    public static TResult Read<TState, TResult>(in ReadOnlySequence<byte> bytes, TState state, SpanReader<TState, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (bytes.IsSingleSegment)
        {
            return read(bytes.FirstSpan, state);
        }

        var length = checked((int)bytes.Length);
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            bytes.CopyTo(copy);
            return read(copy.AsSpan(0, length), state);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>Reads a varint at <paramref name="pos"/>; false when it is cut or longer than 10 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref int pos, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= bytes.Length)
            {
                return false;
            }

            var b = bytes[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads a field's tag: false at a cut varint, a tag beyond 32 bits or field number 0 (none of them a valid message).
    /// </summary>
    public static bool TryReadTag(ReadOnlySpan<byte> bytes, ref int pos, out int field, out int wireType)
    {
        field = 0;
        wireType = 0;
        if (!TryReadVarint(bytes, ref pos, out var tag) || tag > uint.MaxValue || tag >> 3 == 0)
        {
            return false;
        }

        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return true;
    }

    /// <summary>Reads a length-delimited field's bytes (after its tag); false when the length runs past the end.</summary>
    public static bool TryReadLengthDelimited(ReadOnlySpan<byte> bytes, ref int pos, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryReadVarint(bytes, ref pos, out var length) || length > (ulong)(bytes.Length - pos))
        {
            return false;
        }

        value = bytes.Slice(pos, (int)length);
        pos += (int)length;
        return true;
    }

    /// <summary>
    /// Skips the value of a field this codec does not know (after its tag), as the generated parsers keep unknown
    /// fields aside; false when it is cut, or a group (not proto3) or one of the undefined wire types 6 and 7.
    /// </summary>
    public static bool TrySkip(ReadOnlySpan<byte> bytes, ref int pos, int wireType)
    {
        switch (wireType)
        {
            case VarintType:
                return TryReadVarint(bytes, ref pos, out _);
            case Fixed64Type:
                return TryAdvance(bytes, ref pos, 8);
            case LengthType:
                return TryReadLengthDelimited(bytes, ref pos, out _);
            case Fixed32Type:
                return TryAdvance(bytes, ref pos, 4);
            default:
                return false;
        }
    }

    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>The size of a length-delimited field of <paramref name="length"/> bytes with a one-byte tag.</summary>
    public static int LengthDelimitedSize(int length) => 1 + VarintSize((ulong)length) + length;

    public static int WriteVarint(Span<byte> span, ulong value)
    {
        var pos = 0;
        while (value >= 0x80)
        {
            span[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[pos++] = (byte)value;
        return pos;
    }

    /// <summary>The one-byte tag of fields 1-15.</summary>
    public static byte Tag(int field, int wireType) => (byte)((field << 3) | wireType);

    private static bool TryAdvance(ReadOnlySpan<byte> bytes, ref int pos, int count)
    {
        if (bytes.Length - pos < count)
        {
            return false;
        }

        pos += count;
        return true;
    }
}
