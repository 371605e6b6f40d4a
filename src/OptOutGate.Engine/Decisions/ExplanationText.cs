using System.Globalization;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Text;
using IndexEntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Decisions;

/// <summary>
/// The sentences of explanations (CheckBatch with explain, CheckAtTime), in the contract's words: the entry's keyword,
/// sender and its own date, as common.proto's example has it ("opted out by MO 'STOP' at +18005550100 on 2026-01-05"),
/// and enum values by their contract names (SMS_TYPE_MARKETING), never C# names.
/// </summary>
internal static class ExplanationText
{
    /// <summary>How the entry's record made it: "opted out by MO 'STOP' at +18005550100 on 2026-01-05".</summary>
    public static string Made(ChangeRecord record, IndexEntryKind kind)
    {
        ArgumentNullException.ThrowIfNull(record);
        var verb = kind switch
        {
            IndexEntryKind.Suppression => "suppressed",
            IndexEntryKind.Bypass => "bypass added",
            IndexEntryKind.AddressOptIn => "opted in again",
            _ => "opted out",
        };
        var how = record.Source switch
        {
            Source.MoKeyword when record.MatchedKeyword.Length != 0 => $"by MO '{record.MatchedKeyword}'",
            Source.MoKeyword => "by MO",
            Source.Api => "through the opt-out API",
            Source.Import => $"by import '{record.SourceName}'",
            Source.ProviderError => $"by provider error {record.ProviderErrorCode} ({record.SourceName})",
            Source.RemovalApproved => "by an approved removal request",
            _ => "by an operator",
        };
        var where = record.Scope == Scope.Tenant
            ? record.InboundAddress.Length != 0 ? $"at {record.InboundAddress}, for every sender of the tenant" : "for every sender of the tenant"
            : record.Scope == Scope.SenderApp ? $"at {record.Sender} for app {record.App}" : $"at {record.Sender}";
        var when = record.EventTime?.ToDateTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "an unknown date";
        var reason = kind != IndexEntryKind.OptOut && record.Reason.Length != 0 ? $" ({record.Reason})" : "";
        return $"{verb} {how} {where} on {when}{reason}";
    }

    /// <summary>
    /// Completes CheckBatch explanations from the entries' records: each entry with its reason, time, carrier id, actor and
    /// country, and the sentence naming the keyword and date. Reads one record per entry named (explain is for audits).
    /// </summary>
    public static async ValueTask CompleteAsync(ChangeLog log, IList<Explanation> explanations, SmsType type, CancellationToken ct)
    {
        foreach (var explanation in explanations)
        {
            var entry = await FromLogAsync(log, explanation.Entry, ct);
            var bypassed = await FromLogAsync(log, explanation.BypassedEntry, ct);
            if (entry is null)
            {
                continue;
            }

            explanation.Entry = entry.Value.Entry;
            var typeName = ContractNames.Full(type);
            switch (explanation.Verdict)
            {
                case Verdict.BlockedSuppressed:
                    explanation.Reason = $"{Made(entry.Value.Record, IndexEntryKind.Suppression)}; the suppression covers {typeName}";
                    break;
                case Verdict.BlockedOptedOut or Verdict.BlockedTenantOptOut:
                    explanation.Reason = $"{Made(entry.Value.Record, IndexEntryKind.OptOut)}; the {(explanation.DefaultBlockingRule ? "default" : "configured")} blocking rule covers {typeName}";
                    break;
                case Verdict.AllowedBypass when bypassed is not null:
                    explanation.BypassedEntry = bypassed.Value.Entry;
                    explanation.Reason = $"{Made(entry.Value.Record, IndexEntryKind.Bypass)}: lets {typeName} through; {Made(bypassed.Value.Record, IndexEntryKind.OptOut)}";
                    break;
            }
        }
    }

    private static async ValueTask<(Entry Entry, ChangeRecord Record)?> FromLogAsync(ChangeLog log, Entry? entry, CancellationToken ct)
    {
        if (entry is null || entry.Sequence == 0 || await log.ReadAsync(entry.Sequence, ct) is not { } logEntry)
        {
            return null;
        }

        var kind = (IndexEntryKind)(int)entry.Kind;
        var full = EntryViews.FromRecord(kind, logEntry.Record, Storage.State.SmsTypeMasks.From(entry.SmsTypes));
        full.Scope = entry.Scope;
        full.Sender = entry.Sender;
        full.App = entry.App;
        return (full, logEntry.Record);
    }
}
