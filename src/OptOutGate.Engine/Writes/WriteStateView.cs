using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Storage.State;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Writes;

/// <summary>
/// State as the write pipeline validates against it: the applied state (index, configuration, scopes) with this
/// pipeline's not-yet-applied records laid over it. Valid only inside the pipeline's loop (a
/// <see cref="RecordWriteRequest.Build"/> callback); do not keep it.
/// </summary>
internal sealed class WriteStateView
{
    private readonly EntryIndex _index;
    private readonly ScopeTable _scopes;
    private readonly GateConfig _config;
    private readonly WriteOverlay _overlay;
    private readonly ChangeLog _log;

    public WriteStateView(EntryIndex index, ScopeTable scopes, GateConfig config, WriteOverlay overlay, ChangeLog log)
    {
        _index = index;
        _scopes = scopes;
        _config = config;
        _overlay = overlay;
        _log = log;
    }

    /// <summary>The record that last changed an entry: the pending one, or the committed one read from the log.</summary>
    public async ValueTask<ChangeRecord?> ReadRecordAsync(EntryState entry) =>
        entry.PendingRecord ?? (await _log.ReadAsync(entry.Sequence, CancellationToken.None))?.Record;

    /// <summary>The time the current batch is validated at (event times default to it).</summary>
    public DateTimeOffset Now { get; internal set; }

    /// <summary>The entry of (tenant, scope sender, scope app, kind, recipient); scope sender and app as <see cref="EntryTarget"/> resolves them.</summary>
    public bool TryGetEntry(string tenant, string scopeSender, string scopeApp, EntryKind kind, ulong recipient, out EntryState entry)
    {
        if (_overlay.TryGetEntry(tenant, scopeSender, scopeApp, kind, recipient, out var pending))
        {
            entry = new EntryState(default, pending);
            return pending is not null;
        }

        if (_scopes.TryGetScope(tenant, scopeSender, scopeApp, out var tenantId, out var scopeId)
            && _index.TryGet(EntryKey.Create(kind, recipient, scopeId, tenantId), out var value))
        {
            entry = new EntryState(value, null);
            return true;
        }

        entry = default;
        return false;
    }

    public bool TryGetInboundAddress(string tenant, string sender, out InboundAddress? address)
    {
        if (_overlay.TryGetInboundAddress(tenant, sender, out address))
        {
            return address is not null;
        }

        var found = _config.TryGetInboundAddress(tenant, sender, out var applied);
        address = applied;
        return found;
    }

    public bool BlockingRuleExists(string tenant, string sender, string app) =>
        _overlay.TryGetBlockingRule(tenant, sender, app, out var exists) ? exists : _config.TryGetBlockingRule(tenant, sender, app, out _);

    public bool WebhookSubscriptionExists(string tenant, string id) =>
        _overlay.TryGetWebhookSubscription(tenant, id, out var exists) ? exists : _config.TryGetWebhookSubscription(tenant, id, out _);

    public TenantPolicy GetTenantPolicy(string tenant) =>
        _overlay.TryGetTenantPolicy(tenant, out var policy) ? policy ?? new TenantPolicy() : _config.GetTenantPolicy(tenant);

    /// <summary>
    /// Whether a CONFIRMATION from <paramref name="sender"/> to <paramref name="recipient"/> is due now: a window is
    /// open and unused. A window opened by a pending record counts as open (it opens at that record's receive time).
    /// </summary>
    public bool IsConfirmationDue(string tenant, string sender, ulong recipient)
    {
        if (_overlay.TryGetWindow(tenant, sender, recipient, out var used))
        {
            return !used;
        }

        return _scopes.TryGetScope(tenant, sender, "", out var tenantId, out var senderScopeId)
            && _config.TryGetConfirmationWindow(tenantId, senderScopeId, recipient, out var window)
            && window.IsOpenAt(Now.UtcDateTime);
    }
}
