namespace OptOutGate.Server.Tenancy;

/// <summary>One tenant under <c>Tenancy:Tenants:&lt;tenant-id&gt;</c>.</summary>
public sealed class TenantOptions
{
    /// <summary>Key id (1-64 characters of <c>[a-z0-9_-]</c>; the actor in history records) → the key.</summary>
    public Dictionary<string, ApiKeyOptions> Keys { get; } = new(StringComparer.Ordinal);
}
