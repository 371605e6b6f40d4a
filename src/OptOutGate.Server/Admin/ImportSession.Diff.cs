using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Writes;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Server.Admin;

// The outcomes of lines: a dry run's, decided against the applied state and the lines before; a real run's, from the
// write's results and what the line met when it was read.
internal sealed partial class ImportSession
{
    private const string RepeatedLine = "an earlier line of this import adds the same opt-out";

    private async Task CountAsync(ImportLineTarget line, CancellationToken ct)
    {
        if (!_targets.TryGetValue((line.Sender, line.App), out var target))
        {
            target = _targets.Count;
            _targets.Add((line.Sender, line.App), target);
        }

        Entry? existing = null;
        bool exists;
        if (_diff is null)
        {
            exists = _engine.Scopes.TryGetScope(_tenant, line.Sender, line.App, out var tenantId, out var scopeId)
                && _engine.Index.TryGet(EntryKey.Create(EntryKind.OptOut, line.Recipient, scopeId, tenantId), out _);
        }
        else
        {
            existing = await _inspector.ExistingAsync(line.Recipient, line.Sender, line.App, ct);
            exists = existing is not null;
        }

        var added = !exists && _seen.Add(target, line.Recipient);
        if (added)
        {
            _response.Added++;
        }
        else
        {
            _response.AlreadyPresent++;
        }

        if (_diff is null)
        {
            return;
        }

        var scope = EntryTarget.ScopeOf(line.Sender, line.App);
        if (!added)
        {
            var present = Outcome(ImportLineResult.AlreadyPresent, line.Number, line.Text, scope, line.Sender, line.App, existing is null ? RepeatedLine : "");
            present.Existing = existing;
            await _diff.WriteAsync(present, ct);
            return;
        }

        var (before, blocked) = await _inspector.RelatedAsync(line.Recipient, line.Sender, line.App, ct);
        var entry = new Entry
        {
            Kind = Contracts.V1.EntryKind.OptOut,
            Scope = scope,
            Sender = line.Sender,
            App = line.App,
            Recipient = line.Text,
            Source = Source.Import,
            Reason = _options.Reason,
            UpdateTime = Timestamp.FromDateTimeOffset(line.EventTicks == 0 ? _now : new DateTimeOffset(line.EventTicks, TimeSpan.Zero)),
            ActorKeyId = _actor,
            Country = line.Country,
        };
        await _diff.WriteAsync(AddedOutcome(line.Number, line.Text, entry, before, blocked), ct);
    }

    private async Task WriteOutcomesAsync(ImportBatch batch, WriteResult? result, CancellationToken ct)
    {
        var item = 0;
        foreach (var line in batch.Lines)
        {
            if (line.Invalid.Length != 0 || result is null)
            {
                await _diff!.WriteAsync(Outcome(ImportLineResult.Invalid, line.Number, line.Recipient, line.Scope, line.Sender, line.App, line.Invalid), ct);
                continue;
            }

            var written = result.Items[item++];
            ImportLineOutcome outcome;
            switch (written.Outcome)
            {
                case WriteOutcome.Added when written.Record is { } record:
                    outcome = AddedOutcome(line.Number, line.Recipient, EntryViews.FromRecord(EntryKind.OptOut, record, 0), line.Before ?? [], line.BlockedBefore);
                    break;
                case WriteOutcome.AlreadyPresent:
                    outcome = Outcome(ImportLineResult.AlreadyPresent, line.Number, line.Recipient, line.Scope, line.Sender, line.App, "");
                    outcome.Existing = await ExistingAsync(written, ct);
                    break;
                default:
                    outcome = Outcome(ImportLineResult.Invalid, line.Number, line.Recipient, line.Scope, line.Sender, line.App, RecipientResults.InvalidRecipientMessage);
                    break;
            }

            await _diff!.WriteAsync(outcome, ct);
        }
    }

    /// <summary>The existing entry of an ALREADY_PRESENT item: the pending write's record, or the applied entry's from the log.</summary>
    private async ValueTask<Entry?> ExistingAsync(WriteItemResult item, CancellationToken ct)
    {
        if (item.Record is { } pending)
        {
            return EntryViews.FromRecord(EntryKind.OptOut, pending, 0);
        }

        return await _engine.Log.ReadAsync(item.Sequence, ct) is { } logEntry
            ? EntryViews.FromRecord(EntryKind.OptOut, logEntry.Record, item.Existing.SmsTypeMask)
            : null;
    }

    /// <summary>ADDED, or CHANGED when the recipient already had opt-outs meeting the target: before, after, blocked types.</summary>
    private ImportLineOutcome AddedOutcome(ulong number, string recipient, Entry entry, List<Entry> before, byte blockedBefore)
    {
        var outcome = Outcome(before.Count == 0 ? ImportLineResult.Added : ImportLineResult.Changed, number, recipient, entry.Scope, entry.Sender, entry.App, "");
        if (before.Count == 0)
        {
            return outcome;
        }

        outcome.Before.AddRange(before);
        outcome.After.AddRange(before);
        outcome.After.Add(entry);
        outcome.BlockedSmsTypesBefore.AddRange(SmsTypeMasks.ToTypes(blockedBefore));
        outcome.BlockedSmsTypesAfter.AddRange(SmsTypeMasks.ToTypes(_inspector.BlockedAt(entry.Sender, entry.App)));
        return outcome;
    }

    private static ImportLineOutcome Outcome(ImportLineResult result, ulong number, string recipient, Scope scope, string sender, string app, string reason) => new()
    {
        LineNumber = number,
        Result = result,
        Recipient = recipient,
        Scope = scope,
        Sender = sender,
        App = app,
        Reason = reason,
    };

    /// <summary>A valid line of a dry run: <paramref name="Text"/> as sent, <paramref name="Recipient"/> its digits.</summary>
    private readonly record struct ImportLineTarget(ulong Number, string Text, ulong Recipient, string Sender, string App, string Country, long EventTicks);
}
