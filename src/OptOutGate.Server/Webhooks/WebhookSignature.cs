using System.Security.Cryptography;
using System.Text;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// Standard Webhooks signing (standardwebhooks.com, "Signature scheme"): the signed content is
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, signed with HMAC-SHA256 keyed with the secret's bytes (the base64
/// after the <c>whsec_</c> prefix), sent as <c>v1,{base64 signature}</c>; several signatures (a secret rotation) are
/// separated by spaces. Hand-written: the specification's own .NET library (StandardWebhooks) is not in this build's
/// registry, and the scheme is these few lines over the framework's HMAC.
/// </summary>
internal static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    private const int MinSecretBytes = 24;
    private const int MaxSecretBytes = 64;

    /// <summary>A new secret: the prefix and base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key bytes of a secret; false (with the reason) when it is not "whsec_" and base64 of 24-64 bytes.</summary>
    public static bool TryDecodeSecret(string secret, out byte[] key, out string problem)
    {
        key = [];
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            problem = "must start with \"whsec_\"";
            return false;
        }

        var buffer = new byte[secret.Length];
        if (!Convert.TryFromBase64String(secret[SecretPrefix.Length..], buffer, out var length))
        {
            problem = "is not base64 after \"whsec_\"";
            return false;
        }

        if (length is < MinSecretBytes or > MaxSecretBytes)
        {
            problem = $"must encode {MinSecretBytes}-{MaxSecretBytes} bytes, not {length}";
            return false;
        }

        key = buffer[..length];
        problem = "";
        return true;
    }

    /// <summary>The <c>webhook-signature</c> header value: one "v1," signature per key, space-separated.</summary>
    public static string Header(IReadOnlyList<byte[]> keys, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{id}.{timestamp}."));
        var header = new StringBuilder();
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        foreach (var key in keys)
        {
            // "id.timestamp." then the body, hashed in two parts: the body (a batch is tens of kilobytes) is not copied.
            using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            hmac.AppendData(prefix);
            hmac.AppendData(body);
            hmac.GetHashAndReset(mac);
            if (header.Length != 0)
            {
                header.Append(' ');
            }

            header.Append("v1,").Append(Convert.ToBase64String(mac));
        }

        return header.ToString();
    }
}
