using OptOutGate.Engine.Storage.State;

namespace OptOutGate.Engine.Decisions;

/// <summary>
/// The ids a batch looks up under, resolved once per batch: the tenant, and the scopes (T,S,""), (T,S,A) and (T,"","").
/// An id of 0 means the scope was never named by any applied record, so it has no entries and is not read.
/// </summary>
internal readonly record struct CheckScopes(uint TenantId, uint SenderScopeId, uint SenderAppScopeId, uint TenantScopeId)
{
    /// <summary>True when at least one scope exists: otherwise no recipient of the batch can have an entry.</summary>
    public bool Any => (SenderScopeId | SenderAppScopeId | TenantScopeId) != 0;

    public static CheckScopes Resolve(ScopeTable scopes, string tenant, ReadOnlySpan<char> sender, ReadOnlySpan<char> app)
    {
        if (!scopes.TryGetTenantId(tenant, out var tenantId))
        {
            return default;
        }

        scopes.TryGetScope(tenantId, sender, ReadOnlySpan<char>.Empty, out var senderScope);

        // With no app, (T,S,A) is (T,S,""): reading it twice would find the same entry under two scope names.
        uint senderAppScope = 0;
        if (!app.IsEmpty)
        {
            scopes.TryGetScope(tenantId, sender, app, out senderAppScope);
        }

        scopes.TryGetScope(tenantId, ReadOnlySpan<char>.Empty, ReadOnlySpan<char>.Empty, out var tenantScope);
        return new CheckScopes(tenantId, senderScope, senderAppScope, tenantScope);
    }
}
