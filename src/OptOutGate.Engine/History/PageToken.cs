using System.Buffers.Binary;
using System.Text;

namespace OptOutGate.Engine.History;

/// <summary>
/// An opaque page token (AIP-158): which list it belongs to, a fingerprint of the call's filters, and the position to
/// continue from (a sequence number, and for lists ordered by name the last name returned). The fingerprint is what
/// makes "a page token must come with the same filters" (common.proto) checkable without server-side state: a token
/// presented with other filters, another order or by another tenant does not decode. Tokens are not secret and not
/// signed; a forged one can only name a position inside the caller's own filtered list.
/// </summary>
internal readonly record struct PageToken(ulong Position, string Key)
{
    private const byte Version = 1;

    // version, list, fingerprint, position, then the key's UTF-8 bytes.
    private const int HeaderBytes = 1 + 1 + 8 + 8;
    private const int MaxKeyBytes = 512;

    public string Encode(PageList list, ulong fingerprint)
    {
        var keyBytes = Encoding.UTF8.GetBytes(Key);
        var bytes = new byte[HeaderBytes + keyBytes.Length];
        bytes[0] = Version;
        bytes[1] = (byte)list;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(2), fingerprint);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(10), Position);
        keyBytes.CopyTo(bytes.AsSpan(HeaderBytes));
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>False for anything that is not a token of <paramref name="list"/> made with the same fingerprint.</summary>
    public static bool TryDecode(string text, PageList list, ulong fingerprint, out PageToken token)
    {
        token = default;
        if (string.IsNullOrEmpty(text) || text.Length > 4 * (HeaderBytes + MaxKeyBytes) / 3 + 4)
        {
            return false;
        }

        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 += (base64.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        var buffer = new byte[(base64.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(base64, buffer, out var length) || length < HeaderBytes)
        {
            return false;
        }

        var bytes = buffer.AsSpan(0, length);
        if (bytes[0] != Version || bytes[1] != (byte)list || BinaryPrimitives.ReadUInt64LittleEndian(bytes[2..]) != fingerprint)
        {
            return false;
        }

        try
        {
            var key = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes[HeaderBytes..]);
            token = new PageToken(BinaryPrimitives.ReadUInt64LittleEndian(bytes[10..]), key);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
