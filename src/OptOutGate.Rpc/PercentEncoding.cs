using System.Buffers;
using System.Text;

namespace OptOutGate.Rpc;

/// <summary>
/// The <c>grpc-message</c> encoding of PROTOCOL-HTTP2.md: UTF-8, then every byte outside 0x20-0x7E, and '%' itself,
/// as <c>%XX</c>. Not <see cref="Uri.EscapeDataString"/>: it escapes ',' ':' '/' which grpc-js's decodeURI leaves
/// escaped, so users would read "%2C".
/// </summary>
public static class PercentEncoding
{
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!NeedsEncoding(value))
        {
            return value;
        }

        var utf8 = Encoding.UTF8.GetBytes(value);
        var sb = new StringBuilder(utf8.Length * 3);
        foreach (var b in utf8)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(HexUpper(b >> 4)).Append(HexUpper(b & 0xF));
            }
        }

        return sb.ToString();
    }

    /// <summary>Decodes %XX escapes as UTF-8. Never throws: a bad escape is kept as it is, as the spec requires.</summary>
    public static string Decode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            var n = 0;
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c == '%' && i + 2 < value.Length && TryHex(value[i + 1], out var hi) && TryHex(value[i + 2], out var lo))
                {
                    buffer[n++] = (byte)((hi << 4) | lo);
                    i += 2;
                }
                else
                {
                    n += Encoding.UTF8.GetBytes(value.AsSpan(i, 1), buffer.AsSpan(n));
                }
            }

            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool NeedsEncoding(string value)
    {
        foreach (var c in value)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                return true;
            }
        }

        return false;
    }

    private static char HexUpper(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'A' and <= 'F' => c - 'A' + 10,
            >= 'a' and <= 'f' => c - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
