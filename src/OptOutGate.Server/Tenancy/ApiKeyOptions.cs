namespace OptOutGate.Server.Tenancy;

/// <summary>One key under <c>Tenancy:Tenants:&lt;tenant-id&gt;:Keys:&lt;key-id&gt;</c>. The key itself is never configured.</summary>
public sealed class ApiKeyOptions
{
    /// <summary><c>sha256:</c> and the 64 hex digits of the key's SHA-256 (<c>OptOutGate.Server hash-key</c> prints it).</summary>
    public string? Hash { get; set; }

    /// <summary>One or more of check, mo, admin, replica, read.</summary>
    public List<string> Roles { get; } = [];

    /// <summary>Replica keys only: the tenants whose changes the key may read. Empty: every configured tenant.</summary>
    public List<string> Tenants { get; } = [];
}
