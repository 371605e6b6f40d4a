namespace OptOutGate.Server.Tenancy;

/// <summary>
/// The tenants of this server and their API keys, checked and with every key's tenant group resolved. Either API keys
/// are on (<see cref="AuthenticationEnabled"/>: some tenant is configured, and every call must present a key of one)
/// or off (<see cref="Local"/>: nothing configured, the server on loopback only, every call runs as
/// <see cref="LocalKey"/>).
/// </summary>
internal sealed class TenantRegistry
{
    private TenantRegistry(IReadOnlyList<string> tenants, IReadOnlyList<TenantKey> keys, bool authenticationEnabled, IReadOnlyDictionary<string, string>? sharedLists = null)
    {
        Tenants = tenants;
        Keys = keys;
        AuthenticationEnabled = authenticationEnabled;
        SharedLists = sharedLists ?? new Dictionary<string, string>();
    }

    /// <summary>Each account on an organization's shared opt-out list → the organization (the id of that list).</summary>
    public IReadOnlyDictionary<string, string> SharedLists { get; }

    /// <summary>
    /// The accounts on a shared list under another id than their own that have data under their own id (a record of
    /// the engine names them): moved onto the shared list, their own entries would silently stop blocking anything.
    /// </summary>
    public IReadOnlyList<string> ListConflicts(Func<string, bool> hasData)
    {
        ArgumentNullException.ThrowIfNull(hasData);
        var conflicts = new List<string>();
        foreach (var (account, organization) in SharedLists)
        {
            if (!string.Equals(account, organization, StringComparison.Ordinal) && hasData(account))
            {
                conflicts.Add(
                    $"Tenancy:Organizations:{organization}:Accounts:{account} puts tenant '{account}' on organization '{organization}''s shared list, " +
                    $"but '{account}' has opt-out data of its own, which would stop blocking anything: keep it on its own list " +
                    $"(Tenancy:Organizations:{organization}:Accounts:{account}:List = Own) or outside the organization, or name the organization '{account}' so that its entries become the shared list's.");
            }
        }

        conflicts.Sort(StringComparer.Ordinal);
        return conflicts;
    }

    /// <summary>Tenant "default", key id "local", every role: what every call is while API keys are off.</summary>
    public static TenantKey LocalKey { get; } =
        new(TenantIds.DefaultTenant, TenantIds.LocalKeyId, ApiRoles.All, [], [TenantIds.DefaultTenant]);

    /// <summary>API keys off: one tenant, "default".</summary>
    public static TenantRegistry Local { get; } = new([TenantIds.DefaultTenant], [], authenticationEnabled: false);

    /// <summary>Configured tenant ids, sorted (ordinal).</summary>
    public IReadOnlyList<string> Tenants { get; }

    /// <summary>Configured keys with <see cref="TenantKey.TenantGroup"/> resolved.</summary>
    public IReadOnlyList<TenantKey> Keys { get; }

    public bool AuthenticationEnabled { get; }

    /// <summary>
    /// API keys on, for <paramref name="tenants"/> (at least one) and their <paramref name="keys"/>. Throws
    /// <see cref="ArgumentException"/> on what configuration validation reports with setting names first: a bad or
    /// repeated id, a key of an unknown tenant, a group naming an unknown tenant, a group on a key without the
    /// replica role, two keys with one hash.
    /// </summary>
    /// <param name="sharedLists">Each account on an organization's shared list → the organization (its list's id).</param>
    public static TenantRegistry Create(IEnumerable<string> tenants, IEnumerable<TenantKey> keys, IReadOnlyDictionary<string, string>? sharedLists = null)
    {
        sharedLists ??= new Dictionary<string, string>();
        ArgumentNullException.ThrowIfNull(tenants);
        ArgumentNullException.ThrowIfNull(keys);
        var tenantSet = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tenant in tenants)
        {
            if (!TenantIds.IsValid(tenant) || !tenantSet.Add(tenant))
            {
                throw new ArgumentException($"Tenant id '{tenant}' is not 1-{TenantIds.MaxLength} characters of [a-z0-9_-], or is repeated.", nameof(tenants));
            }
        }

        if (tenantSet.Count == 0)
        {
            throw new ArgumentException("API keys on need at least one tenant.", nameof(tenants));
        }

        var all = tenantSet.ToArray();
        var resolved = new List<TenantKey>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!tenantSet.Contains(key.TenantId))
            {
                throw new ArgumentException($"Key {key} belongs to an unknown tenant.", nameof(keys));
            }

            if (!TenantIds.IsValid(key.KeyId) || !names.Add(key.ToString()))
            {
                throw new ArgumentException($"Key id of {key} is not 1-{TenantIds.MaxLength} characters of [a-z0-9_-], or is repeated in its tenant.", nameof(keys));
            }

            if (key.Hash.Length != ApiKeyHash.HashSize)
            {
                throw new ArgumentException($"Key {key} has a hash of {key.Hash.Length} bytes, not {ApiKeyHash.HashSize}.", nameof(keys));
            }

            var shared = sharedLists.TryGetValue(key.TenantId, out var organization) ? organization : null;
            resolved.Add(key with { TenantGroup = ListsOf(ResolveGroup(key, tenantSet, all), sharedLists), SharedList = shared });
        }

        // The store refuses two keys with one hash; building it here makes Create refuse them too.
        _ = new ApiKeyStore<TenantKey>(resolved.Select(k => (k.Hash, k)));
        return new TenantRegistry(all, resolved, authenticationEnabled: true, new Dictionary<string, string>(sharedLists, StringComparer.Ordinal));
    }

    /// <summary>A tenant group as the lists its tenants read and write (the change stream's records name lists).</summary>
    private static string[] ListsOf(string[] group, IReadOnlyDictionary<string, string> sharedLists)
    {
        var lists = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tenant in group)
        {
            lists.Add(sharedLists.TryGetValue(tenant, out var organization) ? organization : tenant);
        }

        return lists.ToArray();
    }

    private static string[] ResolveGroup(TenantKey key, SortedSet<string> tenants, string[] all)
    {
        if (key.TenantGroup.Count > 0 && !key.HasAny(ApiRoles.Replica))
        {
            throw new ArgumentException($"Key {key} lists a tenant group but has no replica role; only replica keys read other tenants.", nameof(key));
        }

        var group = new SortedSet<string>(StringComparer.Ordinal);
        if (key.HasAny(ApiRoles.Replica))
        {
            foreach (var tenant in key.TenantGroup)
            {
                if (!tenants.Contains(tenant))
                {
                    throw new ArgumentException($"Key {key} lists tenant '{tenant}', which is not configured.", nameof(key));
                }
            }

            group.UnionWith(key.TenantGroup.Count == 0 ? all : key.TenantGroup);
        }

        if (key.HasAny(ApiRoles.Admin))
        {
            group.Add(key.TenantId);
        }

        return group.ToArray();
    }
}
