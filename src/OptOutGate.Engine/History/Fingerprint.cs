using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OptOutGate.Engine.History;

/// <summary>
/// A 64-bit fingerprint of a list call's filters for <see cref="PageToken"/>: SHA-256 over the parts, each
/// length-prefixed so that ("ab","c") and ("a","bc") differ. Not a secret; collisions only matter between filters of
/// the same tenant and list, and 64 bits make an accidental one practically impossible.
/// </summary>
internal sealed class Fingerprint
{
    private readonly StringBuilder _text = new();

    public Fingerprint Add(string value)
    {
        _text.Append(value.Length).Append(':').Append(value).Append(';');
        return this;
    }

    public Fingerprint Add(ulong value) => Add(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public ulong Compute()
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(_text.ToString()), hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}
