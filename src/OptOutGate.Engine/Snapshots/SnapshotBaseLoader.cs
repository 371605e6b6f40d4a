using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.State;

namespace OptOutGate.Engine.Snapshots;

/// <summary>
/// Puts a <see cref="SnapshotBase"/> into an empty state (index, scope table, configuration, history heads), so that
/// it reflects sequence <see cref="SnapshotBase.Sequence"/>: what the primary's GetSnapshot gave, exactly. Tenant and
/// scope ids are assigned here in the base's order (configuration, then records by sequence), so they may differ from
/// the primary's: ids are node-local (index keys, checkpoints) and never leave a node. Recipient heads point at each
/// (tenant, recipient)'s newest base record, so the first replicated record of a recipient chains to it; sender heads
/// stay empty (the base holds no configuration history).
/// </summary>
internal static class SnapshotBaseLoader
{
    /// <summary>Loads the base. Only while nothing else changes the state (the applier paused, or not started).</summary>
    /// <exception cref="InvalidDataException">The base does not read back whole, or holds an item that is not valid.</exception>
    public static void Load(SnapshotBase snapshotBase, EntryIndex index, ScopeTable scopes, GateConfig config, HistoryHeads heads)
    {
        ArgumentNullException.ThrowIfNull(snapshotBase);
        foreach (var item in snapshotBase.ReadConfig())
        {
            scopes.InternTenant(RequireTenant(item, snapshotBase));
            switch (item.ItemCase)
            {
                case SnapshotItem.ItemOneofCase.InboundAddress:
                    config.PutInboundAddress(item.TenantId, item.InboundAddress, item.InboundAddress.UpdateTime, item.InboundAddress.UpdateSequence);
                    break;
                case SnapshotItem.ItemOneofCase.BlockingRule:
                    config.PutBlockingRule(item.TenantId, item.BlockingRule, item.BlockingRule.UpdateTime, item.BlockingRule.UpdateSequence);
                    break;
                case SnapshotItem.ItemOneofCase.TenantPolicy:
                    config.PutTenantPolicy(item.TenantId, item.TenantPolicy, item.TenantPolicy.UpdateTime, item.TenantPolicy.UpdateSequence);
                    break;
                case SnapshotItem.ItemOneofCase.WebhookSubscription when item.WebhookSubscription.Subscription is { } subscription:
                    config.PutWebhookSubscription(item.TenantId, item.WebhookSubscription, subscription.UpdateTime, subscription.UpdateSequence);
                    break;
                default:
                    throw new InvalidDataException($"{snapshotBase.Path}: a configuration item of kind {item.ItemCase}.");
            }
        }

        foreach (var entry in snapshotBase.ReadRecords())
        {
            var record = entry.Record;
            if (record.TenantId.Length == 0
                || !E164.TryParse(record.Recipient, out var recipient)
                || !EntryKinds.TryEntryOf(record, out var kind)
                || !EntryTarget.TryResolve(record.Scope, record.Sender, record.App, out var sender, out var app))
            {
                throw new InvalidDataException($"{snapshotBase.Path}: record {record.Sequence} is not an entry's record.");
            }

            var tenantId = scopes.InternTenant(record.TenantId);
            var scopeId = scopes.InternScope(tenantId, sender, app);
            index.Upsert(EntryKey.Create(kind, recipient, scopeId, tenantId), EntryValue.Create(record.Sequence, SmsTypeMasks.From(record.SmsTypes), (byte)record.Source));

            // Records come in ascending sequence: the head ends at the newest.
            heads.AdvanceRecipient(tenantId, recipient, record.Sequence);
        }

        // Opened in the order they close, so pruning (which follows that order) drops each in time.
        var windows = new List<(ConfirmationKey Key, DateTime ExpireTime)>();
        foreach (var item in snapshotBase.ReadWindows())
        {
            if (item.ItemCase != SnapshotItem.ItemOneofCase.ConfirmationWindow
                || item.ConfirmationWindow is not { ExpireTime: not null } window
                || window.Sender.Length == 0
                || !E164.TryParse(window.Recipient, out var recipient))
            {
                throw new InvalidDataException($"{snapshotBase.Path}: a confirmation window item is not valid.");
            }

            var tenantId = scopes.InternTenant(RequireTenant(item, snapshotBase));
            windows.Add((new ConfirmationKey(recipient, scopes.InternScope(tenantId, window.Sender, ""), tenantId), window.ExpireTime.ToDateTime()));
        }

        windows.Sort(static (a, b) => a.ExpireTime.CompareTo(b.ExpireTime));
        foreach (var (key, expireTime) in windows)
        {
            // The record that opened it is at or below the base's sequence; which one the snapshot does not say.
            config.OpenConfirmationWindow(key, expireTime, snapshotBase.Sequence);
        }
    }

    private static string RequireTenant(SnapshotItem item, SnapshotBase snapshotBase) =>
        item.TenantId.Length != 0 ? item.TenantId : throw new InvalidDataException($"{snapshotBase.Path}: an item without a tenant.");
}
