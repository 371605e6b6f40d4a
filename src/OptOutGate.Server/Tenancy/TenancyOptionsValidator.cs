using OptOutGate.Server.Configuration;

namespace OptOutGate.Server.Tenancy;

/// <summary>
/// Checks <see cref="TenancyOptions"/> against the listen address and builds the <see cref="TenantRegistry"/>. Every
/// failure names the setting to change; none ever repeats a configured hash (it might be a key pasted by mistake).
/// </summary>
internal static class TenancyOptionsValidator
{
    public static IReadOnlyList<string> Validate(TenancyOptions options, GateServerOptions gate, out TenantRegistry? registry)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gate);
        registry = null;
        var failures = new List<string>();
        var keys = new List<TenantKey>();
        var seenHashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (tenantId, tenant) in options.Tenants)
        {
            var tenantPath = $"{TenancyOptions.SectionName}:Tenants:{tenantId}";
            if (!TenantIds.IsValid(tenantId))
            {
                failures.Add($"{tenantPath}: a tenant id is 1-{TenantIds.MaxLength} characters of a-z, 0-9, '-' and '_'.");
                continue;
            }

            foreach (var (keyId, key) in tenant.Keys)
            {
                var keyPath = $"{tenantPath}:Keys:{keyId}";
                if (ValidateKey(keyPath, tenantId, keyId, key, options, failures) is { } valid)
                {
                    var hex = Convert.ToHexString(valid.Hash);
                    if (seenHashes.TryGetValue(hex, out var other))
                    {
                        failures.Add($"{keyPath}:Hash is the same as {other}:Hash: every key must be a different random key.");
                        continue;
                    }

                    seenHashes.Add(hex, keyPath);
                    keys.Add(valid);
                }
            }
        }

        var sharedLists = ValidateOrganizations(options, failures);
        if (options.Tenants.Count == 0 && gate.ListensBeyondLoopback())
        {
            failures.Add(
                $"{GateServerOptions.SectionName}:ListenAddress '{gate.ListenAddress}' listens beyond loopback, but no API keys are configured: " +
                $"add one under {TenancyOptions.SectionName}:Tenants:<tenant-id>:Keys:<key-id> (its Hash and Roles; 'OptOutGate.Server new-key' makes a key and its hash), " +
                "or listen on 127.0.0.1 only.");
        }
        else if (options.Tenants.Count > 0 && keys.Count == 0 && failures.Count == 0)
        {
            failures.Add($"{TenancyOptions.SectionName}:Tenants is configured but holds no key: add one under {TenancyOptions.SectionName}:Tenants:<tenant-id>:Keys:<key-id>.");
        }

        if (failures.Count == 0)
        {
            registry = options.Tenants.Count == 0 ? TenantRegistry.Local : TenantRegistry.Create(options.Tenants.Keys, keys, sharedLists);
        }

        return failures;
    }

    /// <summary>
    /// The organizations: each a valid id with at least one account, every account a configured tenant in one
    /// organization only. The organization's id names its shared list, so it must not be another tenant's id (that
    /// tenant's entries would become the organization's); it may be the id of one of its own accounts on the shared
    /// list, which is how an existing tenant grows into an organization and its entries become the shared list's.
    /// Returns each account on a shared list → its organization.
    /// </summary>
    private static Dictionary<string, string> ValidateOrganizations(TenancyOptions options, List<string> failures)
    {
        var sharedLists = new Dictionary<string, string>(StringComparer.Ordinal);
        var memberOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (organizationId, organization) in options.Organizations)
        {
            var path = $"{TenancyOptions.SectionName}:Organizations:{organizationId}";
            if (!TenantIds.IsValid(organizationId))
            {
                failures.Add($"{path}: an organization id is 1-{TenantIds.MaxLength} characters of a-z, 0-9, '-' and '_'.");
                continue;
            }

            if (organization.Accounts.Count == 0)
            {
                failures.Add($"{path}:Accounts is empty: list the tenants of the organization (each one '{{}}' for the shared list, or '{{ \"List\": \"Own\" }}').");
            }

            foreach (var (account, settings) in organization.Accounts)
            {
                var accountPath = $"{path}:Accounts:{account}";
                if (!options.Tenants.ContainsKey(account))
                {
                    failures.Add($"{accountPath}: '{account}' is not a tenant under {TenancyOptions.SectionName}:Tenants.");
                }
                else if (!memberOf.TryAdd(account, organizationId))
                {
                    failures.Add($"{accountPath}: '{account}' is already an account of organization '{memberOf[account]}'; a tenant belongs to one organization.");
                }
                else if (settings.List is not (AccountListMode.Shared or AccountListMode.Own))
                {
                    failures.Add($"{accountPath}:List is 'Shared' (the organization's list) or 'Own'.");
                }
                else if (settings.List == AccountListMode.Shared)
                {
                    sharedLists.Add(account, organizationId);
                }
            }

            if (options.Tenants.ContainsKey(organizationId)
                && !(organization.Accounts.TryGetValue(organizationId, out var self) && self.List == AccountListMode.Shared))
            {
                failures.Add(
                    $"{path}: '{organizationId}' is also a tenant, and the organization's shared list has its id: the tenant's entries would be the " +
                    "shared list's. Name the organization differently, or make the tenant an account of it on the shared list (its entries then become the organization's).");
            }
        }

        return sharedLists;
    }

    private static TenantKey? ValidateKey(string path, string tenantId, string keyId, ApiKeyOptions key, TenancyOptions options, List<string> failures)
    {
        var before = failures.Count;
        if (!TenantIds.IsValid(keyId))
        {
            failures.Add($"{path}: a key id is 1-{TenantIds.MaxLength} characters of a-z, 0-9, '-' and '_'.");
        }

        byte[] hash = [];
        if (string.IsNullOrWhiteSpace(key.Hash))
        {
            failures.Add($"{path}:Hash is missing: set it to 'sha256:' and the 64 hex digits of the key's SHA-256 ('OptOutGate.Server hash-key' prints it).");
        }
        else if (!ApiKeyHash.TryParse(key.Hash, out hash))
        {
            failures.Add($"{path}:Hash is not 'sha256:' and 64 hex digits (it is {key.Hash.Trim().Length} characters): configure the SHA-256 of the key, never the key itself.");
        }

        var roles = ApiRoles.None;
        foreach (var name in key.Roles)
        {
            if (ApiRoleNames.TryParse(name, out var role))
            {
                roles |= role;
            }
            else
            {
                failures.Add($"{path}:Roles: '{name}' is not a role (use {string.Join(", ", ApiRoleNames.All)}).");
            }
        }

        if (key.Roles.Count == 0)
        {
            failures.Add($"{path}:Roles is empty: give one or more of {string.Join(", ", ApiRoleNames.All)}.");
        }

        if (key.Tenants.Count > 0 && (roles & ApiRoles.Replica) == 0)
        {
            failures.Add($"{path}:Tenants lists a tenant group, which only keys with the replica role have.");
        }

        foreach (var tenant in key.Tenants)
        {
            if (!options.Tenants.ContainsKey(tenant))
            {
                failures.Add($"{path}:Tenants names '{tenant}', which is not a tenant under {TenancyOptions.SectionName}:Tenants.");
            }
        }

        return failures.Count == before ? new TenantKey(tenantId, keyId, roles, hash, key.Tenants.ToArray()) : null;
    }
}
