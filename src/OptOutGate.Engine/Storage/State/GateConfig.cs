using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// The configuration state of every tenant: inbound addresses, blocking rules, tenant policies, and the open
/// confirmation windows. Only <see cref="GateStateApplier"/> changes it, in log order; readers (checks, Admin reads)
/// use concurrent maps and never wait. Returned messages are the stored instances: treat them as read-only (clone
/// before changing). Everything here reflects exactly the records up to <see cref="GateStateApplier.AppliedSequence"/>
/// once the applier has published it.
/// </summary>
internal sealed partial class GateConfig
{
    /// <summary>Confirmation window when the tenant policy sets none (admin_config.proto TenantPolicy).</summary>
    public static readonly TimeSpan DefaultConfirmationWindow = TimeSpan.FromMinutes(5);

    private static readonly TenantPolicy DefaultPolicy = new();

    private readonly ConcurrentDictionary<(string Tenant, string Sender), InboundAddress> _addresses = new();
    private readonly ConcurrentDictionary<(string Tenant, string Sender, string App), BlockingRule> _rules = new();
    private readonly ConcurrentDictionary<string, TenantPolicy> _policies = new(StringComparer.Ordinal);

    // One per opt-out or opt-in in the last window length: 10 million right after a 10-million-entry import. A
    // SingleWriterMap, not a ConcurrentDictionary: no object per window, and a restart restores them in about a second.
    private readonly SingleWriterMap<ConfirmationKey, ConfirmationWindowState> _windows;

    // Applier only: windows in the order they were opened, to drop expired ones without scanning the map.
    // The opening record's sequence tells a queued window from a later re-opening of the same key; the expiry is read
    // from the map (24 bytes per queued window, not 32: there are 10 million after a 10-million-entry import).
    private readonly RingQueue<(ConfirmationKey Key, ulong Sequence)> _windowExpiries;

    public GateConfig()
        : this(0)
    {
    }

    private GateConfig(int windows)
    {
        _windows = new SingleWriterMap<ConfirmationKey, ConfirmationWindowState>(windows);
        _windowExpiries = new RingQueue<(ConfirmationKey Key, ulong Sequence)>(windows);
    }

    public int ConfirmationWindowCount => _windows.Count;

    public bool TryGetInboundAddress(string tenant, string sender, out InboundAddress address) =>
        _addresses.TryGetValue((tenant, sender), out address!);

    /// <summary>The tenant's inbound addresses ordered by sender (ordinal), as ListInboundAddresses pages them.</summary>
    public IReadOnlyList<InboundAddress> ListInboundAddresses(string tenant)
    {
        var list = new List<InboundAddress>();
        foreach (var (key, address) in _addresses)
        {
            if (key.Tenant == tenant)
            {
                list.Add(address);
            }
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Sender, b.Sender));
        return list;
    }

    public bool TryGetBlockingRule(string tenant, string sender, string app, out BlockingRule rule) =>
        _rules.TryGetValue((tenant, sender, app), out rule!);

    /// <summary>The tenant's blocking rules ordered by (sender, app); only those of <paramref name="sender"/> when given.</summary>
    public IReadOnlyList<BlockingRule> ListBlockingRules(string tenant, string? sender = null)
    {
        var list = new List<BlockingRule>();
        foreach (var (key, rule) in _rules)
        {
            if (key.Tenant == tenant && (string.IsNullOrEmpty(sender) || key.Sender == sender))
            {
                list.Add(rule);
            }
        }

        list.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Sender, b.Sender);
            return c != 0 ? c : string.CompareOrdinal(a.App, b.App);
        });
        return list;
    }

    /// <summary>
    /// The SMS types an opt-out blocks for sends of (sender, app): the rule of (sender, app), else the tenant's default
    /// rule of ("", app), else <see cref="SmsTypeMasks.DefaultBlocked"/>. <paramref name="isDefault"/> is true only for
    /// the last.
    /// </summary>
    public byte GetBlockedMask(string tenant, string sender, string app, out bool isDefault)
    {
        if (_rules.TryGetValue((tenant, sender, app), out var rule) || _rules.TryGetValue((tenant, "", app), out rule))
        {
            isDefault = false;
            return SmsTypeMasks.From(rule.BlockedSmsTypes);
        }

        isDefault = true;
        return SmsTypeMasks.DefaultBlocked;
    }

    /// <summary>The tenant's policy; a shared default instance (all fields default) when never changed.</summary>
    public TenantPolicy GetTenantPolicy(string tenant) => _policies.TryGetValue(tenant, out var policy) ? policy : DefaultPolicy;

    /// <summary>How long after an opt-out or opt-in its one CONFIRMATION is allowed, for this tenant.</summary>
    public TimeSpan GetConfirmationWindow(string tenant)
    {
        var window = GetTenantPolicy(tenant).ConfirmationWindow;
        return window is null || window.ToTimeSpan() <= TimeSpan.Zero ? DefaultConfirmationWindow : window.ToTimeSpan();
    }

    /// <summary>
    /// The confirmation window of (tenant, sender, recipient), by the tenant id and the scope id of (tenant, sender, "")
    /// from <see cref="ScopeTable"/>. A window past its expiry may still be returned until pruned: check
    /// <see cref="ConfirmationWindowState.IsOpenAt"/>.
    /// </summary>
    public bool TryGetConfirmationWindow(uint tenantId, uint senderScopeId, ulong recipient, out ConfirmationWindowState window) =>
        _windows.TryGetValue(new ConfirmationKey(recipient, senderScopeId, tenantId), out window);

    /// <summary>Every window still held (snapshots for GetSnapshot); includes expired ones not yet pruned.</summary>
    public IEnumerable<KeyValuePair<ConfirmationKey, ConfirmationWindowState>> ConfirmationWindows => _windows.Entries();

    /// <summary>Every tenant policy changed from the defaults.</summary>
    public IEnumerable<KeyValuePair<string, TenantPolicy>> TenantPolicies => _policies;

    internal void PutInboundAddress(string tenant, InboundAddress address, Timestamp updateTime, ulong sequence)
    {
        var stored = address.Clone();
        stored.UpdateTime = updateTime;
        stored.UpdateSequence = sequence;
        _addresses[(tenant, stored.Sender)] = stored;
    }

    /// <summary>Deletes the address and, as the contract says, its blocking rules in the same change.</summary>
    internal void DeleteInboundAddress(string tenant, string sender)
    {
        _addresses.TryRemove((tenant, sender), out _);
        foreach (var key in _rules.Keys)
        {
            if (key.Tenant == tenant && key.Sender == sender)
            {
                _rules.TryRemove(key, out _);
            }
        }
    }

    internal void PutBlockingRule(string tenant, BlockingRule rule, Timestamp updateTime, ulong sequence)
    {
        var stored = rule.Clone();
        stored.UpdateTime = updateTime;
        stored.UpdateSequence = sequence;
        _rules[(tenant, stored.Sender, stored.App)] = stored;
    }

    internal void DeleteBlockingRule(string tenant, string sender, string app) => _rules.TryRemove((tenant, sender, app), out _);

    internal void PutTenantPolicy(string tenant, TenantPolicy policy, Timestamp updateTime, ulong sequence)
    {
        var stored = policy.Clone();
        stored.UpdateTime = updateTime;
        stored.UpdateSequence = sequence;
        _policies[tenant] = stored;
    }

    internal void ResetTenantPolicy(string tenant) => _policies.TryRemove(tenant, out _);

    /// <summary>Opens (or re-opens, unused) the window of the key until <paramref name="expireTime"/>.</summary>
    internal void OpenConfirmationWindow(ConfirmationKey key, DateTime expireTime, ulong sequence)
    {
        _windows.Set(key, new ConfirmationWindowState(expireTime, used: false, sequence));
        _windowExpiries.Enqueue((key, sequence));
    }

    /// <summary>Marks the window used; false when there is none (the record is then history only).</summary>
    internal bool UseConfirmationWindow(ConfirmationKey key)
    {
        if (!_windows.TryGetValue(key, out var window))
        {
            return false;
        }

        _windows.Set(key, window.AsUsed());
        return true;
    }

    /// <summary>
    /// Drops windows that closed before <paramref name="now"/> (the receive time of the last applied record, so replicas
    /// and replays prune alike). Windows are queued in opening order; with per-tenant window lengths a few may outlive
    /// their expiry briefly, which readers handle through <see cref="ConfirmationWindowState.IsOpenAt"/>.
    /// </summary>
    internal void PruneExpiredWindows(DateTime now)
    {
        while (_windowExpiries.TryPeek(out var head))
        {
            // A queued window re-opened since (a later sequence) or already gone is skipped; the first one still open
            // ends the pass.
            if (_windows.TryGetValue(head.Key, out var current) && current.OpenedBySequence == head.Sequence)
            {
                if (current.ExpireTime > now)
                {
                    return;
                }

                _windows.Remove(head.Key);
            }

            _windowExpiries.Dequeue();
        }
    }
}
