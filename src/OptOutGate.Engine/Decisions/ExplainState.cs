using OptOutGate.Contracts.V1;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Text;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Decisions;

/// <summary>
/// What a batch with <c>explain</c> keeps per recipient while checking (the decision and the entries found), turned
/// into <see cref="Explanation"/> messages once the verdicts are final. Allocates freely: explain is for audits.
/// </summary>
internal sealed class ExplainState(int count)
{
    private readonly Decision[] _decisions = new Decision[count];
    private readonly RecipientEntries[] _entries = new RecipientEntries[count];

    public void Record(int index, Decision decision, in RecipientEntries entries)
    {
        _decisions[index] = decision;
        _entries[index] = entries;
    }

    public void Build(CheckEngine engine, in CheckQuery query, ReadOnlySpan<ulong> recipients, ReadOnlySpan<Verdict> verdicts, IList<Explanation> explanations)
    {
        var rule = engine.Config.GetBlockedMask(query.Tenant, query.Sender, query.App, out var isDefault);
        for (var i = 0; i < recipients.Length; i++)
        {
            var verdict = verdicts[i];
            if (verdict == Verdict.Allowed)
            {
                continue;
            }

            var decision = _decisions[i];
            var explanation = new Explanation { Index = (uint)i, Verdict = verdict };
            var recipient = recipients[i];
            switch (verdict)
            {
                case Verdict.InvalidRecipient:
                    explanation.Reason = "the recipient is not a valid E.164 number: '+' and 8-15 digits, the first not 0, that its country's numbering plan allows (libphonenumber metadata)";
                    break;
                case Verdict.BlockedConfirmation:
                    explanation.Reason = "no confirmation is due: no opt-out or opt-in of this recipient at this sender within the confirmation window, or its one confirmation was already allowed";
                    break;
                case Verdict.BlockedSuppressed:
                    explanation.Entry = EntryOf(query, recipient, decision.Decider, _entries[i]);
                    explanation.Reason = $"on the suppression list ({ScopeText(decision.Decider.Scope)}) for {ContractNames.Full(query.Type)}; entry made by history record {explanation.Entry.Sequence}";
                    break;
                case Verdict.BlockedOptedOut:
                case Verdict.BlockedTenantOptOut:
                    explanation.Entry = EntryOf(query, recipient, decision.Decider, _entries[i]);
                    AddBlockedTypes(explanation, rule, isDefault);
                    explanation.Reason = $"opted out ({ScopeText(decision.Decider.Scope)}, {ContractNames.Full(explanation.Entry.Source)}) by history record {explanation.Entry.Sequence}; the {(isDefault ? "default" : "configured")} blocking rule covers {ContractNames.Full(query.Type)}";
                    break;
                case Verdict.AllowedBypass:
                    explanation.Entry = EntryOf(query, recipient, decision.Decider, _entries[i]);
                    explanation.BypassedEntry = EntryOf(query, recipient, decision.Bypassed, _entries[i]);
                    AddBlockedTypes(explanation, rule, isDefault);
                    explanation.Reason = $"bypass entry ({ScopeText(decision.Decider.Scope)}, history record {explanation.Entry.Sequence}) lets {ContractNames.Full(query.Type)} through the opt-out of history record {explanation.BypassedEntry.Sequence}";
                    break;
            }

            explanations.Add(explanation);
        }
    }

    private static void AddBlockedTypes(Explanation explanation, byte rule, bool isDefault)
    {
        foreach (var type in SmsTypeMasks.ToTypes(rule))
        {
            explanation.BlockedSmsTypes.Add(type);
        }

        explanation.DefaultBlockingRule = isDefault;
    }

    private static Entry EntryOf(in CheckQuery query, ulong recipient, DecidingEntry decider, in RecipientEntries entries)
    {
        entries.TryGet(decider.Kind, decider.Scope, out var value);
        var entry = new Entry
        {
            Kind = (Contracts.V1.EntryKind)(int)decider.Kind,
            Scope = decider.Scope switch
            {
                EntryScope.Sender => Scope.Sender,
                EntryScope.SenderApp => Scope.SenderApp,
                _ => Scope.Tenant,
            },
            Sender = decider.Scope == EntryScope.Tenant ? "" : query.Sender,
            App = decider.Scope == EntryScope.SenderApp ? query.App : "",
            Recipient = E164.Format(recipient),
            Source = (Source)value.Source,
            Sequence = value.Sequence,
        };

        // Opt-outs carry no types of their own: the blocking rule decides (common.proto, Entry.sms_types).
        if (decider.Kind != EntryKind.OptOut)
        {
            foreach (var type in SmsTypeMasks.ToTypes(value.SmsTypeMask))
            {
                entry.SmsTypes.Add(type);
            }
        }

        return entry;
    }

    private static string ScopeText(EntryScope scope) => scope switch
    {
        EntryScope.Sender => "at this sender",
        EntryScope.SenderApp => "at this sender for this app",
        _ => "tenant-wide",
    };
}
