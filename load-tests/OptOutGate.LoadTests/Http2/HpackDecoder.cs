using System.Text;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// HPACK (RFC 7541) for the response side of one connection: the static table, the dynamic table the server builds
/// (its size bounded by the 4,096 bytes this client allows), and every representation. Every header block a connection
/// receives must go through the same decoder in order, whatever stream it belongs to, or the tables drift apart.
/// Huffman-coded strings are refused with <see cref="HpackException"/>: Kestrel's encoder never produces them (it has
/// no Huffman encoder), and this client only talks to the gate.
/// </summary>
internal sealed class HpackDecoder
{
    /// <summary>SETTINGS_HEADER_TABLE_SIZE's initial value, which this client keeps.</summary>
    public const int MaxTableSize = 4_096;

    private const int EntryOverhead = 32;

    private static readonly (string Name, string Value)[] StaticTable =
    [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""),
        ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""),
        ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""),
        ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""), ("retry-after", ""),
        ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""), ("transfer-encoding", ""),
        ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", ""),
    ];

    // Newest first: dynamic index 62 is _dynamic[0].
    private readonly List<(string Name, string Value, int Size)> _dynamic = [];
    private int _tableSize;
    private int _tableCapacity = MaxTableSize;

    /// <summary>The number of entries in the dynamic table (for tests).</summary>
    public int DynamicCount => _dynamic.Count;

    /// <summary>Decodes one complete header block (HEADERS plus any CONTINUATION), in order.</summary>
    /// <exception cref="HpackException">The block is malformed; the connection cannot go on (COMPRESSION_ERROR).</exception>
    public List<(string Name, string Value)> Decode(ReadOnlySpan<byte> block)
    {
        var fields = new List<(string Name, string Value)>();
        var position = 0;
        var fieldSeen = false;
        while (position < block.Length)
        {
            var first = block[position];
            if ((first & 0x80) != 0)
            {
                // Indexed field.
                fields.Add(Entry(ReadInteger(block, ref position, 7)));
                fieldSeen = true;
            }
            else if ((first & 0xc0) == 0x40)
            {
                // Literal with incremental indexing.
                var field = ReadLiteral(block, ref position, 6);
                Insert(field.Name, field.Value);
                fields.Add(field);
                fieldSeen = true;
            }
            else if ((first & 0xe0) == 0x20)
            {
                // Dynamic table size update: only at the start of a block (RFC 7541 section 4.2).
                if (fieldSeen)
                {
                    throw new HpackException("a dynamic table size update after a header field");
                }

                var capacity = ReadInteger(block, ref position, 5);
                if (capacity > MaxTableSize)
                {
                    throw new HpackException($"a dynamic table size update to {capacity} bytes, over the {MaxTableSize} allowed");
                }

                _tableCapacity = (int)capacity;
                Evict(0);
            }
            else
            {
                // Literal without indexing (0000) or never indexed (0001).
                fields.Add(ReadLiteral(block, ref position, 4));
                fieldSeen = true;
            }
        }

        return fields;
    }

    private (string Name, string Value) ReadLiteral(ReadOnlySpan<byte> block, ref int position, int prefixBits)
    {
        var index = ReadInteger(block, ref position, prefixBits);
        var name = index == 0 ? ReadString(block, ref position) : Entry(index).Name;
        return (name, ReadString(block, ref position));
    }

    private (string Name, string Value) Entry(long index)
    {
        if (index >= 1 && index <= StaticTable.Length)
        {
            return StaticTable[index - 1];
        }

        var dynamic = index - StaticTable.Length - 1;
        if (index < 1 || dynamic >= _dynamic.Count)
        {
            throw new HpackException($"index {index} is outside the tables ({StaticTable.Length} static, {_dynamic.Count} dynamic entries)");
        }

        var entry = _dynamic[(int)dynamic];
        return (entry.Name, entry.Value);
    }

    private void Insert(string name, string value)
    {
        var size = name.Length + value.Length + EntryOverhead; // Latin-1 strings: one byte per character.
        if (size > _tableCapacity)
        {
            // An entry larger than the table empties it and is not added (RFC 7541 section 4.4).
            _dynamic.Clear();
            _tableSize = 0;
            return;
        }

        Evict(size);
        _dynamic.Insert(0, (name, value, size));
        _tableSize += size;
    }

    private void Evict(int room)
    {
        while (_tableSize + room > _tableCapacity)
        {
            _tableSize -= _dynamic[^1].Size;
            _dynamic.RemoveAt(_dynamic.Count - 1);
        }
    }

    private static string ReadString(ReadOnlySpan<byte> block, ref int position)
    {
        if (position >= block.Length)
        {
            throw new HpackException("the block ends before a string");
        }

        if ((block[position] & 0x80) != 0)
        {
            throw new HpackException("a Huffman-coded string (this client decodes plain strings only, as Kestrel sends them)");
        }

        var length = ReadInteger(block, ref position, 7);
        if (length > block.Length - position)
        {
            throw new HpackException($"a string of {length} bytes runs past the end of the block");
        }

        var text = Encoding.Latin1.GetString(block.Slice(position, (int)length));
        position += (int)length;
        return text;
    }

    /// <summary>An HPACK integer with an N-bit prefix (RFC 7541 section 5.1).</summary>
    private static long ReadInteger(ReadOnlySpan<byte> block, ref int position, int prefixBits)
    {
        var mask = (1 << prefixBits) - 1;
        long value = block[position++] & mask;
        if (value < mask)
        {
            return value;
        }

        for (var shift = 0; shift <= 28; shift += 7)
        {
            if (position >= block.Length)
            {
                throw new HpackException("the block ends inside an integer");
            }

            var next = block[position++];
            value += (long)(next & 0x7f) << shift;
            if ((next & 0x80) == 0)
            {
                return value;
            }
        }

        throw new HpackException("an integer longer than 32 bits");
    }
}

/// <summary>A header block that cannot be decoded: a COMPRESSION_ERROR, fatal to the connection.</summary>
internal sealed class HpackException(string problem) : Exception("HPACK: " + problem);
