using Google.Protobuf.Collections;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.State;
using IndexEntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Server.Admin;

/// <summary>
/// AddBypasses' per-recipient warnings (admin_optouts.proto RecipientResult.still_blocking): the recipient's entries a
/// new bypass does not lift and that block some of its types at sends it covers. A bypass lifts opt-outs of its own or a
/// wider scope and never a suppression (DESIGN.md "Deciding a send"), so what keeps blocking is every suppression whose
/// scope meets the bypass's (wider, same or narrower) and covers one of its types, and every opt-out of a narrower scope.
/// </summary>
internal static class BypassWarnings
{
    public const string Message =
        "The bypass does not lift every entry that blocks this recipient: a bypass never lifts a suppression, and lifts only opt-outs of its own or a wider scope (see still_blocking).";

    public static async Task AddAsync(GateEngine engine, string tenant, Scope scope, string sender, string app, byte bypassMask, RepeatedField<RecipientResult> results, CancellationToken ct)
    {
        if (!engine.Scopes.TryGetTenantId(tenant, out var tenantId)
            || !EntryTarget.TryResolve(scope, sender, app, out var bypassSender, out var bypassApp))
        {
            return;
        }

        var scopes = engine.Scopes.ScopesOf(tenantId).ToList();
        foreach (var result in results)
        {
            if (result.Outcome is not (RecipientOutcome.Added or RecipientOutcome.Updated or RecipientOutcome.AlreadyPresent)
                || !E164.TryParse(result.Recipient, out var recipient)
                || !engine.Index.MayContainRecipient(recipient))
            {
                continue;
            }

            foreach (var (scopeId, name) in scopes)
            {
                if (!Meets(name, bypassSender, bypassApp))
                {
                    continue;
                }

                if (engine.Index.TryGet(EntryKey.Create(IndexEntryKind.Suppression, recipient, scopeId, tenantId), out var suppression)
                    && (suppression.SmsTypeMask & bypassMask) != 0)
                {
                    await AddAsync(engine, result, IndexEntryKind.Suppression, suppression, ct);
                }

                if (Width(name.Sender, name.App) < Width(bypassSender, bypassApp)
                    && engine.Index.TryGet(EntryKey.Create(IndexEntryKind.OptOut, recipient, scopeId, tenantId), out var optOut))
                {
                    await AddAsync(engine, result, IndexEntryKind.OptOut, optOut, ct);
                }
            }

            if (result.StillBlocking.Count != 0)
            {
                result.Message = Message;
            }
        }
    }

    private static async Task AddAsync(GateEngine engine, RecipientResult result, IndexEntryKind kind, EntryValue value, CancellationToken ct)
    {
        if (await engine.Log.ReadAsync(value.Sequence, ct) is { } entry)
        {
            result.StillBlocking.Add(EntryViews.FromRecord(kind, entry.Record, value.SmsTypeMask));
        }
    }

    /// <summary>Whether some send is covered by both scopes (a scope covers the sends of its sender, and app).</summary>
    private static bool Meets(ScopeName scope, string sender, string app) =>
        (scope.Sender.Length == 0 || sender.Length == 0 || scope.Sender == sender)
        && (scope.App.Length == 0 || app.Length == 0 || scope.App == app);

    private static int Width(string sender, string app) => sender.Length == 0 ? 2 : app.Length == 0 ? 1 : 0;
}
