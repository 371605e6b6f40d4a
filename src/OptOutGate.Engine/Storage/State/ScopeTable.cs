using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// Interns tenants to <c>uint</c> tenant ids and (tenant, sender, app) to <c>uint</c> scope ids, the small integers
/// that index keys (<see cref="Index.EntryKey"/>) hold instead of strings. Ids start at 1 (0 = none) and are assigned
/// only by <see cref="GateStateApplier"/>, in log order, when a record first names a tenant or scope (or by
/// <see cref="Snapshots.SnapshotBaseLoader"/> on a replica bootstrapped from a snapshot): every restart derives the same
/// ids, but ids are node-local (index keys, checkpoints) and a replica's may differ from its primary's, so nothing
/// that leaves a node may carry them. Reads are lock-free and never wait for the
/// applier; an id becomes visible to readers once its reverse entry is in place, so a reader that finds an id can
/// always resolve it back.
/// </summary>
internal sealed partial class ScopeTable
{
    private readonly ConcurrentDictionary<string, uint> _tenantIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ScopeName, uint> _scopeIds = new(ScopeNameComparer.Instance);
    private readonly ConcurrentDictionary<ScopeName, uint>.AlternateLookup<ScopeNameSpan> _scopeIdsBySpan;

    // Reverse maps indexed by id. Only the applier writes; it fills the slot before publishing the id (and swaps in a
    // grown copy first when needed), so readers of a published id always find its name.
    private volatile string?[] _tenantNames = new string?[16];
    private volatile ScopeName[] _scopeNames = new ScopeName[64];
    private uint _tenantCount;
    private uint _scopeCount;

    public ScopeTable()
    {
        _scopeIdsBySpan = _scopeIds.GetAlternateLookup<ScopeNameSpan>();
    }

    /// <summary>Number of tenants interned so far.</summary>
    public int TenantCount => (int)Volatile.Read(ref _tenantCount);

    /// <summary>Number of scopes interned so far.</summary>
    public int ScopeCount => (int)Volatile.Read(ref _scopeCount);

    public bool TryGetTenantId(string tenant, out uint tenantId) => _tenantIds.TryGetValue(tenant, out tenantId);

    public bool TryGetTenantName(uint tenantId, [NotNullWhen(true)] out string? tenant)
    {
        var names = _tenantNames;
        tenant = tenantId < (uint)names.Length ? names[tenantId] : null;
        return tenant is not null;
    }

    /// <summary>The scope id of (tenant, sender, app); false when no applied record has named it (so it has no entries).</summary>
    public bool TryGetScope(uint tenantId, string sender, string app, out uint scopeId) =>
        _scopeIds.TryGetValue(new ScopeName(tenantId, sender, app), out scopeId);

    /// <summary>The same lookup without strings, for the check path.</summary>
    public bool TryGetScope(uint tenantId, ReadOnlySpan<char> sender, ReadOnlySpan<char> app, out uint scopeId) =>
        _scopeIdsBySpan.TryGetValue(new ScopeNameSpan(tenantId, sender, app), out scopeId);

    /// <summary>Tenant and scope in one call, by tenant name.</summary>
    public bool TryGetScope(string tenant, string sender, string app, out uint tenantId, out uint scopeId)
    {
        scopeId = 0;
        return TryGetTenantId(tenant, out tenantId) && TryGetScope(tenantId, sender, app, out scopeId);
    }

    /// <summary>Reverse lookup for lists and explanations.</summary>
    public bool TryGetScopeName(uint scopeId, out ScopeName name)
    {
        var names = _scopeNames;
        name = scopeId < (uint)names.Length ? names[scopeId] : default;
        return name.Sender is not null;
    }

    /// <summary>Every scope of a tenant (for lists that scan entries by scope). A snapshot; ids only grow.</summary>
    public IEnumerable<(uint ScopeId, ScopeName Name)> ScopesOf(uint tenantId)
    {
        var names = _scopeNames;
        var count = Math.Min(ScopeCount, names.Length - 1);
        for (uint id = 1; id <= count; id++)
        {
            if (names[id].TenantId == tenantId && names[id].Sender is not null)
            {
                yield return (id, names[id]);
            }
        }
    }

    /// <summary>Applier only: the tenant's id, assigning the next one when the tenant is new.</summary>
    internal uint InternTenant(string tenant)
    {
        if (_tenantIds.TryGetValue(tenant, out var id))
        {
            return id;
        }

        id = _tenantCount + 1;
        var names = _tenantNames;
        if (id >= names.Length)
        {
            Array.Resize(ref names, names.Length * 2);
        }

        names[id] = tenant;
        _tenantNames = names;
        _tenantIds[tenant] = id;
        Volatile.Write(ref _tenantCount, id);
        return id;
    }

    /// <summary>Applier only: the scope's id, assigning the next one when the scope is new.</summary>
    internal uint InternScope(uint tenantId, string sender, string app)
    {
        var key = new ScopeName(tenantId, sender, app);
        if (_scopeIds.TryGetValue(key, out var id))
        {
            return id;
        }

        id = _scopeCount + 1;
        var names = _scopeNames;
        if (id >= names.Length)
        {
            Array.Resize(ref names, names.Length * 2);
        }

        names[id] = key;
        _scopeNames = names;
        _scopeIds[key] = id;
        Volatile.Write(ref _scopeCount, id);
        return id;
    }
}
