using System.Globalization;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Writes;
using IndexEntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Server.Tenancy;

/// <summary>
/// What a start does when the configuration moved an account off an organization's shared list (to <c>Own</c>, or out
/// of the organization), found by comparing the configuration with <see cref="AccountListRecord"/>. While on the shared
/// list, every opt-out and suppression of that list blocked the account's sends; its own list would start empty, and
/// every recipient who opted out through the organization would turn ALLOWED for it: the one wrong answer. So before the
/// primary serves, the account's own list gets a copy of each of them (same kind, scope, sender, app and SMS types), as
/// history records with source IMPORT, <c>source_name</c> naming the shared list, a reason saying why, and actor
/// <see cref="Actor"/>; the originals stay in the shared list's history. Written through the write pipeline (durable and
/// applied before the record of lists is updated), so a crash in between copies again, and a copy of an entry already
/// there is ALREADY_PRESENT.
/// </summary>
/// <remarks>
/// Copied: opt-outs of any source and scope (also the ones made at other accounts' senders: the recipient opted out of
/// the organization's messages there, and a compliance user expects no configuration change to make anyone sendable
/// again) and suppressions. Not copied: bypasses and address opt-ins (they allow sends; the account's own list grants
/// its own) and configuration (inbound addresses, keyword sets, blocking rules, policy: the own list's are the
/// operator's to set). A move from one shared list straight to another is refused: the new list's other accounts would
/// be blocked by what is copied; move the account to its own list first.
/// </remarks>
internal static partial class AccountListMoves
{
    /// <summary>The actor of the copies: not a key id (':' is not allowed in one), so no key can be mistaken for it.</summary>
    public const string Actor = "gate:list-move";

    private const int RecipientsPerWrite = 10_000;

    /// <summary>Each configured account → the list it reads and writes now.</summary>
    public static Dictionary<string, string> CurrentLists(TenantRegistry tenants)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        var lists = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tenant in tenants.Tenants)
        {
            lists[tenant] = tenants.SharedLists.TryGetValue(tenant, out var organization) ? organization : tenant;
        }

        return lists;
    }

    /// <summary>
    /// The moves between <paramref name="recorded"/> and <paramref name="current"/>: accounts that left a shared list for
    /// their own (to copy), and problems (a move from one shared list to another) that must stop the start.
    /// </summary>
    public static (List<(string Account, string SharedList)> ToOwn, List<string> Problems) Compare(
        IReadOnlyDictionary<string, string>? recorded, IReadOnlyDictionary<string, string> current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var toOwn = new List<(string, string)>();
        var problems = new List<string>();
        if (recorded is null)
        {
            return (toOwn, problems);
        }

        foreach (var (account, list) in current.OrderBy(static p => p.Key, StringComparer.Ordinal))
        {
            if (!recorded.TryGetValue(account, out var before) || string.Equals(before, list, StringComparison.Ordinal)
                || string.Equals(before, account, StringComparison.Ordinal))
            {
                // New, unchanged, or coming from its own list (onto a shared one: TenantRegistry.ListConflicts guards that).
                continue;
            }

            if (string.Equals(list, account, StringComparison.Ordinal))
            {
                toOwn.Add((account, before));
                continue;
            }

            problems.Add(
                $"Tenancy: account '{account}' moves from organization '{before}''s shared list straight to organization '{list}''s, " +
                $"which would leave the opt-outs of '{before}' behind (or, copied, block '{list}''s other accounts): move it to its own list first " +
                $"(Tenancy:Organizations:{list}:Accounts:{account}:List = Own; the start copies what blocked it), then onto '{list}''s, or keep it on '{before}''s.");
        }

        return (toOwn, problems);
    }

    /// <summary>
    /// Copies every opt-out and suppression of <paramref name="sharedList"/> to <paramref name="account"/>'s own list;
    /// returns when every copy is durable and applied. Returns the number of entries copied and already present.
    /// </summary>
    public static async Task<(long Copied, long AlreadyPresent)> CopyAsync(GateEngine engine, string account, string sharedList, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (!EntryQuery.TryCreate(sharedList, new EntryFilter(), out var query, out var error))
        {
            throw new InvalidOperationException(error);
        }

        var reason = string.Create(CultureInfo.InvariantCulture,
            $"kept from organization '{sharedList}''s shared list when account '{account}' moved to its own list on {time.GetUtcNow():yyyy-MM-dd}; the original entry is in '{sharedList}''s history");
        var sourceName = "organization " + sharedList + " shared list";
        var groups = new Dictionary<(IndexEntryKind Kind, string Sender, string App, byte Mask), List<string>>();
        var pending = new Queue<Task<WriteResult>>();
        long copied = 0;
        long present = 0;
        await foreach (var entry in EntryLister.For(engine).ReadAllAsync(query, ct))
        {
            var kind = entry.Kind switch
            {
                EntryKind.OptOut => IndexEntryKind.OptOut,
                EntryKind.Suppression => IndexEntryKind.Suppression,
                _ => (IndexEntryKind)0,
            };
            if (kind == 0)
            {
                continue;
            }

            var key = (kind, entry.Sender, entry.App, kind == IndexEntryKind.Suppression ? SmsTypeMasks.From(entry.SmsTypes) : (byte)0);
            if (!groups.TryGetValue(key, out var recipients))
            {
                recipients = [];
                groups.Add(key, recipients);
            }

            recipients.Add(entry.Recipient);
            if (recipients.Count == RecipientsPerWrite)
            {
                pending.Enqueue(Write(engine, account, key, [.. recipients], reason, sourceName));
                recipients.Clear();
            }

            while (pending.Count > 2)
            {
                (copied, present) = Count(account, await pending.Dequeue().WaitAsync(ct), copied, present);
            }
        }

        foreach (var (key, recipients) in groups)
        {
            if (recipients.Count != 0)
            {
                pending.Enqueue(Write(engine, account, key, [.. recipients], reason, sourceName));
            }
        }

        while (pending.Count > 0)
        {
            (copied, present) = Count(account, await pending.Dequeue().WaitAsync(ct), copied, present);
        }

        return (copied, present);
    }

    private static Task<WriteResult> Write(GateEngine engine, string account, (IndexEntryKind Kind, string Sender, string App, byte Mask) key, List<string> recipients, string reason, string sourceName) =>
        engine.Writes.WriteAsync(
            new EntryWriteRequest
            {
                TenantId = account,
                ActorKeyId = Actor,
                Operation = EntryWriteOperation.Add,
                Kind = key.Kind,
                Scope = EntryTarget.ScopeOf(key.Sender, key.App),
                Sender = key.Sender,
                App = key.App,
                Recipients = recipients,
                SmsTypeMask = key.Mask,
                Source = Source.Import,
                Reason = reason,
                SourceName = sourceName,
            },
            CancellationToken.None);

    private static (long Copied, long Present) Count(string account, WriteResult result, long copied, long present)
    {
        foreach (var item in result.Items)
        {
            switch (item.Outcome)
            {
                case WriteOutcome.Added:
                    copied++;
                    break;
                case WriteOutcome.AlreadyPresent:
                    present++;
                    break;
                default:
                    // An entry of the shared list that its own list cannot take would be an opt-out lost: stop the start.
                    throw new InvalidOperationException($"Copying the shared list's entries to account '{account}' failed: write outcome {item.Outcome}.");
            }
        }

        return (copied, present);
    }
}
