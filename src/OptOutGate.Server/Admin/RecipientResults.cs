using Google.Protobuf.Collections;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Writes;
using IndexEntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Server.Admin;

/// <summary>Turns a write's per-item results into the v1 RecipientResults, in request order, each with its entry.</summary>
internal static class RecipientResults
{
    // A removed entry's own record is usually the removal record's predecessor in the recipient's chain.
    private const int RemovedEntrySearch = 32;

    public const string InvalidRecipientMessage =
        "Not a valid E.164 number: '+' and 8-15 digits, the first not 0, nothing else, and a number its country's numbering plan allows (libphonenumber metadata).";

    public const string RemovalNotAllowedMessage =
        "The recipient opted out by MO keyword; lifting it needs override with a reason (the recipient's documented consent) or an approved removal request.";

    public static async Task Fill(RepeatedField<RecipientResult> results, GateEngine engine, IReadOnlyList<string> recipients, WriteResult write, IndexEntryKind kind, CancellationToken ct)
    {
        results.Capacity = recipients.Count;
        for (var i = 0; i < recipients.Count; i++)
        {
            var item = write.Items[i];
            var result = new RecipientResult { Recipient = recipients[i], Outcome = item.ToRecipientOutcome(), Sequence = item.Sequence };
            switch (item.Outcome)
            {
                case WriteOutcome.Added or WriteOutcome.Updated when item.Record is { } record:
                    result.Entry = EntryViews.FromRecord(kind, record, SmsTypeMasks.From(record.SmsTypes));
                    break;
                case WriteOutcome.AlreadyPresent or WriteOutcome.RemovalNotAllowed:
                    result.Message = item.Outcome == WriteOutcome.RemovalNotAllowed ? RemovalNotAllowedMessage : "";
                    result.Entry = await ExistingAsync(engine, item, kind, result, ct);
                    break;
                case WriteOutcome.Removed:
                    result.Entry = await RemovedAsync(engine, item.Sequence, kind, result, ct);
                    break;
                case WriteOutcome.InvalidRecipient:
                    result.Message = InvalidRecipientMessage;
                    break;
            }

            results.Add(result);
        }
    }

    private static async Task<Entry?> ExistingAsync(GateEngine engine, WriteItemResult item, IndexEntryKind kind, RecipientResult result, CancellationToken ct)
    {
        if (item.Record is { } pending)
        {
            return EntryViews.FromRecord(kind, pending, SmsTypeMasks.From(pending.SmsTypes));
        }

        return await DamagedRecordNote.ReadAsync(engine.Log, item.Sequence, result, ct) is { } entry
            ? EntryViews.FromRecord(kind, entry.Record, item.Existing.SmsTypeMask)
            : null;
    }

    /// <summary>The entry as it was before <paramref name="removalSequence"/> lifted it: the newest earlier add of the same target.</summary>
    private static async Task<Entry?> RemovedAsync(GateEngine engine, ulong removalSequence, IndexEntryKind kind, RecipientResult result, CancellationToken ct)
    {
        if (await DamagedRecordNote.ReadAsync(engine.Log, removalSequence, result, ct) is not { } removal)
        {
            return null;
        }

        var target = removal.Record;
        var position = removal.PreviousForRecipient;
        for (var steps = 0; position != 0 && steps < RemovedEntrySearch; steps++)
        {
            if (await DamagedRecordNote.ReadAsync(engine.Log, position, result, ct) is not { } entry)
            {
                break;
            }

            var record = entry.Record;
            if (EntryKinds.TryKindOf(record.Action, out var recordKind, out var adds) && recordKind == kind
                && record.Scope == target.Scope && record.Sender == target.Sender
                && (target.Scope != Scope.SenderApp || record.App == target.App))
            {
                return adds ? EntryViews.FromRecord(kind, record, SmsTypeMasks.From(record.SmsTypes)) : null;
            }

            position = entry.PreviousForRecipient;
        }

        return null;
    }
}
