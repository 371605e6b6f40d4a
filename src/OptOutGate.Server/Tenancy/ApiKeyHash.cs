using System.Buffers.Text;
using System.Security.Cryptography;

namespace OptOutGate.Server.Tenancy;

/// <summary>
/// API keys and their configured form. Configuration holds only <c>sha256:&lt;64 hex digits&gt;</c>, the SHA-256 of the
/// key's ASCII bytes, never the key. An unsalted fast hash is enough because keys are random and long (at least
/// <see cref="MinKeyLength"/> characters; <see cref="NewKey"/> makes 256-bit ones): nobody can guess their way back
/// from the hash, and it lets a call find its key with one hash and one lookup.
/// </summary>
internal static class ApiKeyHash
{
    public const string Prefix = "sha256:";

    public const int HashSize = SHA256.HashSizeInBytes;

    /// <summary>At least 32 characters: a base64 key of this length carries 192 bits, far beyond guessing.</summary>
    public const int MinKeyLength = 32;

    /// <summary>Longer than any generated key; bounds the work an unauthenticated caller can ask for.</summary>
    public const int MaxKeyLength = 256;

    /// <summary>The prefix of keys from <see cref="NewKey"/>, so that secret scanners and people recognise them.</summary>
    public const string GeneratedKeyPrefix = "oog_";

    /// <summary>Whether <paramref name="key"/> can be an API key: <see cref="MinKeyLength"/>-<see cref="MaxKeyLength"/> visible ASCII characters, no spaces.</summary>
    public static bool IsWellFormedKey(ReadOnlySpan<char> key)
    {
        if (key.Length is < MinKeyLength or > MaxKeyLength)
        {
            return false;
        }

        foreach (var c in key)
        {
            if (c is < (char)0x21 or > (char)0x7E)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the SHA-256 of a well-formed key (<see cref="IsWellFormedKey"/>) into <paramref name="hash"/> (32 bytes).</summary>
    public static void Compute(ReadOnlySpan<char> key, Span<byte> hash)
    {
        if (!IsWellFormedKey(key))
        {
            throw new ArgumentException($"An API key is {MinKeyLength}-{MaxKeyLength} visible ASCII characters.", nameof(key));
        }

        Span<byte> ascii = stackalloc byte[MaxKeyLength];
        for (var i = 0; i < key.Length; i++)
        {
            ascii[i] = (byte)key[i];
        }

        SHA256.HashData(ascii[..key.Length], hash);
    }

    /// <summary>The configured form of <paramref name="key"/>: <c>sha256:</c> and 64 lower-case hex digits.</summary>
    public static string ForConfiguration(ReadOnlySpan<char> key)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        Compute(key, hash);
        return Format(hash);
    }

    public static string Format(ReadOnlySpan<byte> hash) => Prefix + Convert.ToHexStringLower(hash);

    /// <summary>Parses <c>sha256:</c> and exactly 64 hex digits (either case); anything else (a plaintext key, a short hash) is false.</summary>
    public static bool TryParse(string? text, out byte[] hash)
    {
        hash = [];
        var span = text.AsSpan().Trim();
        if (!span.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var hex = span[Prefix.Length..];
        if (hex.Length != HashSize * 2)
        {
            return false;
        }

        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        hash = Convert.FromHexString(hex);
        return true;
    }

    /// <summary>A new random key: <c>oog_</c> and 43 base64url characters (256 bits from the OS's CSPRNG).</summary>
    public static string NewKey()
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);
        return GeneratedKeyPrefix + Base64Url.EncodeToString(random);
    }
}
