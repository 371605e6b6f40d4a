namespace OptOutGate.Server.Tenancy;

/// <summary>
/// Tenants and their API keys, from the "Tenancy" configuration section. Nothing configured (the default) means API
/// keys are off, which the server allows only while it listens on loopback alone; every call then runs as tenant
/// "default". Configuring any tenant turns keys on, whatever the address.
/// <code>
/// "Tenancy": { "Tenants": { "acme": { "Keys": {
///     "dispatcher-1": { "Hash": "sha256:&lt;64 hex digits&gt;", "Roles": [ "check" ] },
///     "replica-eu":   { "Hash": "sha256:...", "Roles": [ "replica" ], "Tenants": [ "acme", "globex" ] } } } } }
/// </code>
/// Organizations group tenants (accounts) that share one opt-out list (seed 004, CM.com):
/// <code>
/// "Tenancy": { "Organizations": { "cm": { "Accounts": { "a": {}, "b": { "List": "Own" }, "c": {} } } } }
/// </code>
/// A tenant in no organization keeps its own list, as before. Read once at start-up: adding or revoking a key, or
/// moving an account, takes a restart.
/// </summary>
public sealed class TenancyOptions
{
    public const string SectionName = "Tenancy";

    /// <summary>Tenant id (1-64 characters of <c>[a-z0-9_-]</c>) → its keys.</summary>
    public Dictionary<string, TenantOptions> Tenants { get; } = new(StringComparer.Ordinal);

    /// <summary>Organization id (1-64 characters of <c>[a-z0-9_-]</c>; the id of its shared list) → its accounts.</summary>
    public Dictionary<string, OrganizationOptions> Organizations { get; } = new(StringComparer.Ordinal);
}
