using System.Security.Cryptography;
using System.Text;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>
/// Fresh keys of one tenant, "ops" (admin), "dispatcher" (check) and "carrier" (mo), and their hashes in the README's
/// format (sha256:&lt;hex&gt;) as Tenancy settings.
/// </summary>
internal sealed class TenantKeys(string tenant)
{
    public string Admin { get; } = NewKey();

    public string Check { get; } = NewKey();

    public string Mo { get; } = NewKey();

    public IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        .. Key("ops", Admin, "admin"),
        .. Key("dispatcher", Check, "check"),
        .. Key("carrier", Mo, "mo"),
    ];

    private IEnumerable<KeyValuePair<string, string>> Key(string id, string key, string role) =>
    [
        new($"Tenancy:Tenants:{tenant}:Keys:{id}:Hash", "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))),
        new($"Tenancy:Tenants:{tenant}:Keys:{id}:Roles:0", role),
    ];

    private static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
