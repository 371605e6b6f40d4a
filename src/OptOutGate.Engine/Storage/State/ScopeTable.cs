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
/// always resolve it back (<see cref="InternTable{TName}"/>).
/// </summary>
internal sealed partial class ScopeTable
{
    private readonly InternTable<string> _tenants = new(StringComparer.Ordinal, 16);
    private readonly InternTable<ScopeName> _scopes = new(ScopeNameComparer.Instance, 64);
    private readonly ConcurrentDictionary<ScopeName, uint>.AlternateLookup<ScopeNameSpan> _scopeIdsBySpan;

    public ScopeTable()
    {
        _scopeIdsBySpan = _scopes.Ids.GetAlternateLookup<ScopeNameSpan>();
    }

    /// <summary>Number of tenants interned so far.</summary>
    public int TenantCount => _tenants.Count;

    /// <summary>Number of scopes interned so far.</summary>
    public int ScopeCount => _scopes.Count;

    public bool TryGetTenantId(string tenant, out uint tenantId) => _tenants.Ids.TryGetValue(tenant, out tenantId);

    public bool TryGetTenantName(uint tenantId, [NotNullWhen(true)] out string? tenant) => _tenants.TryGetName(tenantId, out tenant);

    /// <summary>The scope id of (tenant, sender, app); false when no applied record has named it (so it has no entries).</summary>
    public bool TryGetScope(uint tenantId, string sender, string app, out uint scopeId) =>
        _scopes.Ids.TryGetValue(new ScopeName(tenantId, sender, app), out scopeId);

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
    public bool TryGetScopeName(uint scopeId, out ScopeName name) => _scopes.TryGetName(scopeId, out name);

    /// <summary>Every scope of a tenant (for lists that scan entries by scope). A snapshot; ids only grow.</summary>
    public IEnumerable<(uint ScopeId, ScopeName Name)> ScopesOf(uint tenantId)
    {
        var names = _scopes.Snapshot(out var count);
        for (uint id = 1; id <= count; id++)
        {
            if (names[id].TenantId == tenantId)
            {
                yield return (id, names[id]);
            }
        }
    }

    /// <summary>Applier only: the tenant's id, assigning the next one when the tenant is new.</summary>
    internal uint InternTenant(string tenant) => _tenants.Intern(tenant);

    /// <summary>Applier only: the scope's id, assigning the next one when the scope is new.</summary>
    internal uint InternScope(uint tenantId, string sender, string app) => _scopes.Intern(new ScopeName(tenantId, sender, app));
}
