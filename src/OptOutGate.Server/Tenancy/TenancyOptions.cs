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
/// Read once at start-up: adding or revoking a key takes a restart.
/// </summary>
public sealed class TenancyOptions
{
    public const string SectionName = "Tenancy";

    /// <summary>Tenant id (1-64 characters of <c>[a-z0-9_-]</c>) → its keys.</summary>
    public Dictionary<string, TenantOptions> Tenants { get; } = new(StringComparer.Ordinal);
}
