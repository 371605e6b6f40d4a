using System.Security.Cryptography;
using System.Text;

namespace OptOutGate.Server.Tests.Webhooks;

/// <summary>
/// The receiver's side of the Standard Webhooks specification, written here from the specification's text (not from
/// the gate's code): the key is the base64 after "whsec_"; the signed content is "{id}.{timestamp}.{raw body}"; the
/// header is a space-separated list of "v1,{base64 HMAC-SHA256}"; a message verifies when any one of them matches.
/// </summary>
public static class StandardWebhooksVerifier
{
    /// <summary>Whether a signature of <paramref name="post"/>'s header was made with <paramref name="secret"/>.</summary>
    public static bool Verifies(string secret, ReceivedPost post)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes(post.Id + "." + post.Timestamp + ".").Concat(post.Body).ToArray();
        using var hmac = new HMACSHA256(key);
        var expected = "v1," + Convert.ToBase64String(hmac.ComputeHash(signed));
        return post.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(candidate =>
            CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), Encoding.ASCII.GetBytes(expected)));
    }

    /// <summary>How many signatures the header carries.</summary>
    public static int SignatureCount(ReceivedPost post) => post.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
