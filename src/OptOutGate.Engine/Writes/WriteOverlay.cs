using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.State;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Writes;

/// <summary>
/// The changes of this pipeline's records that are appended but not yet applied, keyed by names (a new tenant or scope
/// has no id until applied). It mirrors what <see cref="GateStateApplier"/> will do with each record, so validation sees
/// state as of the last record written. Each change remembers its batch; once the applier has passed a batch's last
/// sequence the batch's changes are dropped and the applied state answers again. Used only on the pipeline's loop
/// (and in <c>beforeWrite</c>, which the log runs synchronously inside the loop's append call), so no locks.
/// </summary>
internal sealed class WriteOverlay
{
    private readonly Dictionary<(string Tenant, string Sender, string App, EntryKind Kind, ulong Recipient), Pending<ChangeRecord?>> _entries = [];
    private readonly Dictionary<(string Tenant, string Sender), Pending<InboundAddress?>> _addresses = [];
    private readonly Dictionary<(string Tenant, string Sender, string App), Pending<bool>> _rules = [];
    private readonly Dictionary<string, Pending<TenantPolicy?>> _policies = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Tenant, string Id), Pending<bool>> _webhooks = [];
    private readonly Dictionary<(string Tenant, string Sender, ulong Recipient), Pending<bool>> _windows = [];
    private readonly Dictionary<(string Tenant, ulong Recipient), Pending<ulong>> _recipientHeads = [];
    private readonly Dictionary<(string Tenant, string Sender), Pending<ulong>> _senderHeads = [];
    private readonly Queue<(long Batch, ulong LastSequence)> _batches = new();

    public int Count => _entries.Count + _addresses.Count + _rules.Count + _policies.Count + _windows.Count + _webhooks.Count;

    public bool TryGetEntry(string tenant, string sender, string app, EntryKind kind, ulong recipient, out ChangeRecord? record)
    {
        var found = _entries.TryGetValue((tenant, sender, app, kind, recipient), out var pending);
        record = pending.Value;
        return found;
    }

    public bool TryGetInboundAddress(string tenant, string sender, out InboundAddress? address)
    {
        var found = _addresses.TryGetValue((tenant, sender), out var pending);
        address = pending.Value;
        return found;
    }

    public bool TryGetBlockingRule(string tenant, string sender, string app, out bool exists)
    {
        var found = _rules.TryGetValue((tenant, sender, app), out var pending);
        exists = pending.Value;
        return found;
    }

    public bool TryGetWebhookSubscription(string tenant, string id, out bool exists)
    {
        var found = _webhooks.TryGetValue((tenant, id), out var pending);
        exists = pending.Value;
        return found;
    }

    public bool TryGetTenantPolicy(string tenant, out TenantPolicy? policy)
    {
        var found = _policies.TryGetValue(tenant, out var pending);
        policy = pending.Value;
        return found;
    }

    /// <summary>A pending window: <paramref name="used"/> true when a pending record used it, false when a pending opt-out/opt-in opened it.</summary>
    public bool TryGetWindow(string tenant, string sender, ulong recipient, out bool used)
    {
        var found = _windows.TryGetValue((tenant, sender, recipient), out var pending);
        used = pending.Value;
        return found;
    }

    public bool TryGetRecipientHead(string tenant, ulong recipient, out ulong sequence)
    {
        var found = _recipientHeads.TryGetValue((tenant, recipient), out var pending);
        sequence = pending.Value;
        return found;
    }

    public bool TryGetSenderHead(string tenant, string sender, out ulong sequence)
    {
        var found = _senderHeads.TryGetValue((tenant, sender), out var pending);
        sequence = pending.Value;
        return found;
    }

    public void SetHeads(string tenant, ulong recipient, string sender, ulong sequence, long batch)
    {
        if (recipient != 0)
        {
            _recipientHeads[(tenant, recipient)] = new(sequence, batch);
        }

        if (sender.Length != 0)
        {
            _senderHeads[(tenant, sender)] = new(sequence, batch);
        }
    }

    /// <summary>Records what <paramref name="record"/> will change once applied (same rules as the applier).</summary>
    /// <param name="appliedRulesOf">The applied blocking rules of an address, to hide them when a pending change deletes it.</param>
    public void Apply(ChangeRecord record, long batch, Func<string, string, IEnumerable<BlockingRule>> appliedRulesOf)
    {
        var tenant = record.TenantId;
        var hasRecipient = E164.TryParse(record.Recipient, out var recipient);
        switch (record.Action)
        {
            case ChangeAction.OptOut:
                if (KeywordEffects.WritesEntry(record))
                {
                    SetEntry(record, EntryKind.OptOut, hasRecipient, recipient, present: true, batch);
                }

                OpenWindow(record, hasRecipient, recipient, batch);
                break;
            case ChangeAction.OptIn:
                if (KeywordEffects.WritesEntry(record))
                {
                    SetEntry(record, EntryKind.OptOut, hasRecipient, recipient, present: false, batch);
                }

                if (record.LiftsTenantOptOut)
                {
                    SetEntry(record, EntryKind.AddressOptIn, hasRecipient, recipient, present: true, batch);
                }

                OpenWindow(record, hasRecipient, recipient, batch);
                break;
            case ChangeAction.OptOutRemoved:
                SetEntry(record, EntryKind.OptOut, hasRecipient, recipient, present: false, batch);
                break;
            case ChangeAction.Suppress:
            case ChangeAction.Unsuppress:
                SetEntry(record, EntryKind.Suppression, hasRecipient, recipient, record.Action == ChangeAction.Suppress, batch);
                break;
            case ChangeAction.BypassAdd:
            case ChangeAction.BypassRemove:
                SetEntry(record, EntryKind.Bypass, hasRecipient, recipient, record.Action == ChangeAction.BypassAdd, batch);
                break;
            case ChangeAction.ConfirmationSent when hasRecipient && record.Sender.Length != 0:
                _windows[(tenant, record.Sender, recipient)] = new(true, batch);
                break;
            case ChangeAction.ConfigPut:
            case ChangeAction.ConfigDelete:
                ApplyConfig(record, record.Action == ChangeAction.ConfigDelete, batch, appliedRulesOf);
                break;
            default:
                break;
        }
    }

    /// <summary>Marks the end of a batch whose records end at <paramref name="lastSequence"/> (or that depends on it).</summary>
    public void EndBatch(long batch, ulong lastSequence) => _batches.Enqueue((batch, lastSequence));

    /// <summary>Drops the changes of every batch the applier has passed: the applied state now shows them.</summary>
    public void Prune(ulong appliedSequence)
    {
        long upTo = -1;
        while (_batches.TryPeek(out var head) && head.LastSequence <= appliedSequence)
        {
            upTo = _batches.Dequeue().Batch;
        }

        if (upTo < 0)
        {
            return;
        }

        PruneMap(_entries, upTo);
        PruneMap(_addresses, upTo);
        PruneMap(_rules, upTo);
        PruneMap(_policies, upTo);
        PruneMap(_webhooks, upTo);
        PruneMap(_windows, upTo);
        PruneMap(_recipientHeads, upTo);
        PruneMap(_senderHeads, upTo);
    }

    private static void PruneMap<TKey, TValue>(Dictionary<TKey, Pending<TValue>> map, long upToBatch)
        where TKey : notnull
    {
        if (map.Count == 0)
        {
            return;
        }

        foreach (var (key, pending) in map)
        {
            if (pending.Batch <= upToBatch)
            {
                map.Remove(key);
            }
        }
    }

    private void SetEntry(ChangeRecord record, EntryKind kind, bool hasRecipient, ulong recipient, bool present, long batch)
    {
        if (hasRecipient && EntryTarget.TryResolve(record.Scope, record.Sender, record.App, out var sender, out var app))
        {
            _entries[(record.TenantId, sender, app, kind, recipient)] = new(present ? record : null, batch);
        }
    }

    private void OpenWindow(ChangeRecord record, bool hasRecipient, ulong recipient, long batch)
    {
        var address = KeywordEffects.ConfirmationSender(record);
        if (hasRecipient && address.Length != 0 && KeywordEffects.OpensConfirmationWindow(record))
        {
            _windows[(record.TenantId, address, recipient)] = new(false, batch);
        }
    }

    private void ApplyConfig(ChangeRecord record, bool delete, long batch, Func<string, string, IEnumerable<BlockingRule>> appliedRulesOf)
    {
        var tenant = record.TenantId;
        switch (record.Config?.ConfigCase)
        {
            case ConfigChange.ConfigOneofCase.InboundAddress:
                var sender = record.Config.InboundAddress.Sender;
                _addresses[(tenant, sender)] = new(delete ? null : record.Config.InboundAddress, batch);
                if (delete)
                {
                    // Deleting an address deletes its rules in the same record: hide applied and pending ones alike.
                    foreach (var rule in appliedRulesOf(tenant, sender))
                    {
                        _rules[(tenant, sender, rule.App)] = new(false, batch);
                    }

                    foreach (var key in _rules.Keys.Where(k => k.Tenant == tenant && k.Sender == sender).ToList())
                    {
                        _rules[key] = new(false, batch);
                    }
                }

                break;
            case ConfigChange.ConfigOneofCase.BlockingRule:
                var blockingRule = record.Config.BlockingRule;
                _rules[(tenant, blockingRule.Sender, blockingRule.App)] = new(!delete, batch);
                break;
            case ConfigChange.ConfigOneofCase.TenantPolicy:
                _policies[tenant] = new(delete ? null : record.Config.TenantPolicy, batch);
                break;
            case ConfigChange.ConfigOneofCase.WebhookSubscription:
                _webhooks[(tenant, record.Config.WebhookSubscription.Subscription?.Id ?? "")] = new(!delete, batch);
                break;
            default:
                break;
        }
    }

    private readonly record struct Pending<T>(T Value, long Batch);
}
