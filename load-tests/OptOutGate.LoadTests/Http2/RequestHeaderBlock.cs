using System.Text;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// The HPACK block of a gRPC request, encoded once per method and reused for every call: :method POST and :scheme http
/// from the static table, every other field a literal that is never added to the server's dynamic table, so the same
/// bytes are valid on any stream of any connection.
/// </summary>
internal static class RequestHeaderBlock
{
    private const byte IndexedMethodPost = 0x83;
    private const byte IndexedSchemeHttp = 0x86;

    public static byte[] Encode(string authority, string path, IEnumerable<(string Name, string Value)> extra)
    {
        var block = new List<byte> { IndexedMethodPost, IndexedSchemeHttp };
        Literal(block, ":path", path);
        Literal(block, ":authority", authority);
        Literal(block, "content-type", "application/grpc");
        Literal(block, "te", "trailers");
        foreach (var (name, value) in extra)
        {
            Literal(block, name.ToLowerInvariant(), value);
        }

        return [.. block];
    }

    /// <summary>Literal header field without indexing, new name (RFC 7541 section 6.2.2), plain (not Huffman) strings.</summary>
    private static void Literal(List<byte> block, string name, string value)
    {
        block.Add(0x00);
        String(block, name);
        String(block, value);
    }

    private static void String(List<byte> block, string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        Integer(block, bytes.Length, prefixBits: 7, firstByte: 0x00);
        block.AddRange(bytes);
    }

    private static void Integer(List<byte> block, int value, int prefixBits, byte firstByte)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.Add((byte)(firstByte | value));
            return;
        }

        block.Add((byte)(firstByte | max));
        value -= max;
        while (value >= 0x80)
        {
            block.Add((byte)((value & 0x7f) | 0x80));
            value >>= 7;
        }

        block.Add((byte)value);
    }
}
