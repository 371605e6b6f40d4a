namespace OptOutGate.Server.Tenancy;

/// <summary>
/// One organization under <c>Tenancy:Organizations:&lt;organization-id&gt;</c>: tenants (accounts) that share one opt-out
/// list by default (CM.com's organization-level list), each of which may keep its own list instead.
/// </summary>
public sealed class OrganizationOptions
{
    /// <summary>Tenant id of a configured tenant → how it keeps its opt-outs.</summary>
    public Dictionary<string, AccountOptions> Accounts { get; } = new(StringComparer.Ordinal);
}
