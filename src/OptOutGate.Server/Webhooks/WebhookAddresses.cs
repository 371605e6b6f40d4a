using System.Net;
using System.Net.Sockets;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// Which addresses a webhook delivery may reach. A subscription is a tenant admin's request that the gate POST to a URL
/// of their choosing: without a limit, that is a way into the gate's own network (a cloud metadata service at
/// 169.254.169.254, an internal admin port, the gate's loopback). So a receiver must be on a public address, unless its
/// host is listed in <see cref="WebhookOptions.AllowedPrivateHosts"/>. Checked twice: on the URL at create and update
/// (an address written in the URL, and the names RFC 6761 reserves for loopback), and on every address a connection is
/// about to use (<see cref="WebhookConnector"/>), so a name that resolves to a public address when subscribed and to a
/// private one later (DNS rebinding) still cannot reach it.
/// </summary>
internal static class WebhookAddresses
{
    /// <summary>
    /// Not public: unspecified, loopback, private (RFC 1918, RFC 4193 fc00::/7), shared (100.64/10), link-local
    /// (169.254/16, fe80::/10) and the metadata services in it, site-local fec0::/10, benchmarking 198.18/15, the IETF's
    /// 192.0.0/24, documentation (192.0.2/24, 198.51.100/24, 203.0.113/24,
    /// 2001:db8::/32), multicast, reserved 240/4 and broadcast; IPv4 inside IPv6 (mapped, compatible, NAT64 64:ff9b::/96) by
    /// its IPv4 address.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> v6 = stackalloc byte[16];
            address.TryWriteBytes(v6, out _);
            if (address.IsIPv4MappedToIPv6)
            {
                return IsPublicV4(v6[12..]);
            }

            if (IsZero(v6[..12]) || (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xFF && v6[3] == 0x9B && IsZero(v6[4..12])))
            {
                // ::/96 holds ::, ::1 (as 0.0.0.0 and 0.0.0.1: in 0/8) and the deprecated IPv4-compatible addresses;
                // 64:ff9b::/96 is NAT64, which reaches the IPv4 address it ends with.
                return IsPublicV4(v6[12..]);
            }

            return !((v6[0] & 0xFE) == 0xFC          // fc00::/7 unique local
                || (v6[0] == 0xFE && (v6[1] & 0xC0) == 0x80)   // fe80::/10 link-local
                || (v6[0] == 0xFE && (v6[1] & 0xC0) == 0xC0)   // fec0::/10 site-local
                || v6[0] == 0xFF                                // multicast
                || (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0D && v6[3] == 0xB8)); // 2001:db8::/32 documentation
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        Span<byte> v4 = stackalloc byte[4];
        address.TryWriteBytes(v4, out _);
        return IsPublicV4(v4);
    }

    /// <summary>Whether <paramref name="host"/> (a URL's host, an IP literal with or without brackets) is in the allow-list.</summary>
    public static bool IsAllowedPrivate(string host, IReadOnlyCollection<string> allowed)
    {
        var bare = host.Trim('[', ']');
        var literal = IPAddress.TryParse(bare, out var address) ? address : null;
        foreach (var entry in allowed)
        {
            if (string.Equals(entry.Trim('[', ']'), bare, StringComparison.OrdinalIgnoreCase)
                || (literal is not null && IPAddress.TryParse(entry.Trim('[', ']'), out var listed) && listed.Equals(literal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The problem with a URL's host before anything is resolved: an address that is not public, or a name reserved for
    /// loopback (<c>localhost</c>, <c>*.localhost</c>), not in the allow-list. Null when the host may be used; names are
    /// checked again at every connection.
    /// </summary>
    public static string? HostProblem(Uri uri, IReadOnlyCollection<string> allowedPrivateHosts)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var host = uri.IdnHost;
        if (IsAllowedPrivate(host, allowedPrivateHosts))
        {
            return null;
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return IsPublic(address) ? null : $"url: {address} is not a public address (loopback, private, link-local or reserved); list it in Webhooks:AllowedPrivateHosts to allow it.";
        }

        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            ? $"url: '{host}' is a loopback name; list it in Webhooks:AllowedPrivateHosts to allow it."
            : null;
    }

    private static bool IsPublicV4(ReadOnlySpan<byte> a) => !(
        a[0] == 0                                        // 0/8 "this network"
        || a[0] == 10                                    // 10/8
        || (a[0] == 100 && (a[1] & 0xC0) == 64)          // 100.64/10 shared (carrier-grade NAT)
        || a[0] == 127                                   // 127/8 loopback
        || (a[0] == 169 && a[1] == 254)                  // 169.254/16 link-local, cloud metadata
        || (a[0] == 172 && (a[1] & 0xF0) == 16)          // 172.16/12
        || (a[0] == 192 && a[1] == 0 && a[2] is 0 or 2)  // 192.0.0/24 IETF protocol assignments, 192.0.2/24 documentation
        || (a[0] == 198 && a[1] == 51 && a[2] == 100)    // 198.51.100/24 documentation
        || (a[0] == 203 && a[1] == 0 && a[2] == 113)     // 203.0.113/24 documentation
        || (a[0] == 192 && a[1] == 168)                  // 192.168/16
        || (a[0] == 198 && (a[1] & 0xFE) == 18)          // 198.18/15 benchmarking
        || a[0] >= 224);                                 // multicast 224/4, reserved 240/4, broadcast

    private static bool IsZero(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept((byte)0) < 0;
}
