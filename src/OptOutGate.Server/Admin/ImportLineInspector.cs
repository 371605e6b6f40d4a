using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.State;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Server.Admin;

/// <summary>
/// What an import line meets in the applied state, for ImportOptOutsWithDiff: the opt-out already at the line's exact
/// target (ALREADY_PRESENT, with its record), and the recipient's opt-outs of other scopes that meet the target (the
/// "before" of a CHANGED line: the same sender, one of its apps, or tenant-wide). A recipient the index's pre-filter has
/// never seen (the common case when a new list is imported) costs one probe; only the others walk the tenant's scopes.
/// </summary>
internal sealed class ImportLineInspector(GateEngine engine, string tenant)
{
    /// <summary>The entry at exactly (sender, app), or null; with its record read from the log.</summary>
    public async ValueTask<Entry?> ExistingAsync(ulong recipient, string sender, string app, CancellationToken ct)
    {
        if (!engine.Index.MayContainRecipient(recipient)
            || !engine.Scopes.TryGetScope(tenant, sender, app, out var tenantId, out var scopeId)
            || !engine.Index.TryGet(EntryKey.Create(EntryKind.OptOut, recipient, scopeId, tenantId), out var value))
        {
            return null;
        }

        return await EntryOfAsync(value, ct);
    }

    /// <summary>
    /// The recipient's opt-outs at scopes other than (sender, app) that meet it, oldest first, and the SMS types they
    /// block at (sender, app) under the blocking rule (0 for a tenant-wide target, whose blocking depends on the sender).
    /// </summary>
    public async ValueTask<(List<Entry> Entries, byte BlockedBefore)> RelatedAsync(ulong recipient, string sender, string app, CancellationToken ct)
    {
        var related = new List<Entry>();
        if (!engine.Index.MayContainRecipient(recipient) || !engine.Scopes.TryGetTenantId(tenant, out var tenantId))
        {
            return (related, 0);
        }

        var found = new List<(ScopeName Name, EntryValue Value)>();
        foreach (var (scopeId, name) in engine.Scopes.ScopesOf(tenantId))
        {
            if ((name.Sender == sender && name.App == app) || !Meets(name, sender, app))
            {
                continue;
            }

            if (engine.Index.TryGet(EntryKey.Create(EntryKind.OptOut, recipient, scopeId, tenantId), out var value))
            {
                found.Add((name, value));
            }
        }

        found.Sort(static (a, b) => a.Value.Sequence.CompareTo(b.Value.Sequence));
        var covers = false;
        foreach (var (name, value) in found)
        {
            if (await EntryOfAsync(value, ct) is { } entry)
            {
                related.Add(entry);
            }

            covers |= sender.Length != 0 && BlocksAt(name, recipient, tenantId, sender, app, value);
        }

        return (related, covers ? BlockedAt(sender, app) : (byte)0);
    }

    /// <summary>The SMS types an opt-out blocks at (sender, app): the blocking rule's, or the default.</summary>
    public byte BlockedAt(string sender, string app) => sender.Length == 0 ? (byte)0 : engine.Config.GetBlockedMask(tenant, sender, app, out _);

    /// <summary>Whether an opt-out at <paramref name="name"/> and one at (sender, app) overlap in what they cover.</summary>
    private static bool Meets(ScopeName name, string sender, string app) =>
        sender.Length == 0 || name.Sender.Length == 0 || (name.Sender == sender && (app.Length == 0 || name.App.Length == 0 || name.App == app));

    /// <summary>
    /// Whether the opt-out at <paramref name="name"/> blocks a send from (sender, app): its own sender with no app or the
    /// same app, or tenant-wide unless the recipient opted in again at this sender after it (an address opt-in).
    /// </summary>
    private bool BlocksAt(ScopeName name, ulong recipient, uint tenantId, string sender, string app, EntryValue value)
    {
        if (name.Sender.Length != 0)
        {
            return name.Sender == sender && (name.App.Length == 0 || name.App == app);
        }

        return !(engine.Scopes.TryGetScope(tenantId, sender, "", out var senderScope)
            && engine.Index.TryGet(EntryKey.Create(EntryKind.AddressOptIn, recipient, senderScope, tenantId), out var optIn)
            && optIn.Sequence > value.Sequence);
    }

    private async ValueTask<Entry?> EntryOfAsync(EntryValue value, CancellationToken ct) =>
        await engine.Log.ReadAsync(value.Sequence, ct) is { } logEntry
            ? EntryViews.FromRecord(EntryKind.OptOut, logEntry.Record, value.SmsTypeMask)
            : null;
}
