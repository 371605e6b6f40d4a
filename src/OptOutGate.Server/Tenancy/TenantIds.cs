namespace OptOutGate.Server.Tenancy;

/// <summary>
/// Spelling of tenant ids and key ids: 1-64 characters of <c>[a-z0-9_-]</c>. Lower case only, because configuration
/// keys are case-insensitive and two ids that differ only in case would silently merge.
/// </summary>
internal static class TenantIds
{
    public const int MaxLength = 64;

    /// <summary>The tenant every call runs as while API keys are off (loopback only, nothing configured).</summary>
    public const string DefaultTenant = "default";

    /// <summary>The key id (history actor) of calls while API keys are off.</summary>
    public const string LocalKeyId = "local";

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
