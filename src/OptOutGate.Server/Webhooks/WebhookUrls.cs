using System.Net;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// Which receiver URLs a subscription may name: https, or http for the hosts in
/// <see cref="WebhookOptions.AllowedHttpHosts"/> and for loopback; and in either case a host that is not a private,
/// loopback or link-local address unless <see cref="WebhookOptions.AllowedPrivateHosts"/> lists it (WebhookAddresses).
/// </summary>
internal static class WebhookUrls
{
    public const int MaxLength = 2_000;

    /// <summary>The problem with <paramref name="url"/>, or null when it may be used.</summary>
    public static string? Problem(string url, WebhookOptions options)
    {
        if (url.Length == 0)
        {
            return "url: required.";
        }

        if (url.Length > MaxLength)
        {
            return $"url: at most {MaxLength} characters.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return "url: not an absolute URL.";
        }

        if (uri.UserInfo.Length != 0)
        {
            return "url: must not carry user information (the signature authenticates the gate).";
        }

        if (WebhookAddresses.HostProblem(uri, options.AllowedPrivateHosts) is { } hostProblem)
        {
            return hostProblem;
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            return "url: must be https (or http for loopback and Webhooks:AllowedHttpHosts).";
        }

        if (IsLoopback(uri))
        {
            return null;
        }

        foreach (var host in options.AllowedHttpHosts)
        {
            if (string.Equals(host, uri.IdnHost, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        return $"url: http is allowed only for loopback and the hosts in Webhooks:AllowedHttpHosts, not '{uri.Host}'; use https.";
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
