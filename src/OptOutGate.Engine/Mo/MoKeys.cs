using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OptOutGate.Engine.Mo;

/// <summary>
/// The keys of duplicate detection (DESIGN.md: "same carrier message id, or else the same from, to, text and carrier
/// timestamp"): 128 bits of SHA-256 over the fields, so the ledger keeps 16 bytes per message instead of its text. A
/// false duplicate would drop a STOP, so the key is wide enough that a collision is out of reach (2^-64 at 10^10 keys).
/// </summary>
internal static class MoKeys
{
    public static UInt128 Message(string tenant, string carrierMessageId) => Hash(tenant, "id", carrierMessageId, "", "", 0);

    public static UInt128 Content(string tenant, string to, string from, string text, long carrierTicks) =>
        Hash(tenant, to, from, text, "content", carrierTicks);

    private static UInt128 Hash(string a, string b, string c, string d, string e, long ticks)
    {
        var length = Encoding.UTF8.GetMaxByteCount(a.Length + b.Length + c.Length + d.Length + e.Length) + 5 + 8;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var span = rented.AsSpan();
            var at = 0;
            foreach (var part in (ReadOnlySpan<string>)[a, b, c, d, e])
            {
                at += Encoding.UTF8.GetBytes(part, span[at..]);
                span[at++] = 0;
            }

            BinaryPrimitives.WriteInt64LittleEndian(span[at..], ticks);
            at += 8;
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(span[..at], digest);
            return new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(digest), BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
