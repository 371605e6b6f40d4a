using OptOutGate.Contracts.V1;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Storage.State;
using IndexEntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Decisions;

/// <summary>
/// "Was recipient R blocked for sender S, app A and SMS type X at time T?" (Admin.CheckAtTime), from the history:
/// <list type="number">
/// <item>Entries: R's chain (previous_for_recipient) is read whole (a recipient has few records); its entry changes
/// with event_time ≤ T in the three scopes a check reads ((S), (S, A), tenant-wide) are replayed in event-time order
/// (sequence breaking ties), as the contract orders opt-out against opt-in.</item>
/// <item>Blocking rule: S's chain is walked back from its head to the newest blocking-rule change of (S, A) (or
/// deletion of S, which deletes its rules) with event_time ≤ T. Found: that rule (or the default, for a deletion);
/// chain exhausted: the default; more than <see cref="RuleSearchBudget"/> records without one: today's rule, reported
/// as <see cref="RuleSource.Current"/>.</item>
/// <item>The verdict is <see cref="DecisionRules.Decide"/>, the same rules CheckBatch applies. For CONFIRMATION the
/// one-confirmation allowance is not reconstructed (contract): only a suppression blocks it.</item>
/// </list>
/// </summary>
internal sealed class PointInTimeCheck
{
    /// <summary>Sender records searched for the rule in force before falling back to today's rule.</summary>
    public const int RuleSearchBudget = 100_000;

    private readonly ChangeLog _log;
    private readonly ScopeTable _scopes;
    private readonly HistoryHeads _heads;
    private readonly GateConfig _config;

    public PointInTimeCheck(ChangeLog log, ScopeTable scopes, HistoryHeads heads, GateConfig config)
    {
        _log = log;
        _scopes = scopes;
        _heads = heads;
        _config = config;
    }

    public static PointInTimeCheck For(GateEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return new PointInTimeCheck(engine.Log, engine.Scopes, engine.Heads, engine.Config);
    }

    /// <summary>
    /// False when <paramref name="time"/> lies before the oldest record the log still holds (OUT_OF_RANGE): then the
    /// history cannot say. A log that still starts at sequence 1 holds everything, so any earlier time is answerable.
    /// A replica bootstrapped from a snapshot whose log holds nothing yet answers from the snapshot's time on.
    /// </summary>
    public async ValueTask<bool> IsWithinHistoryAsync(DateTime time, CancellationToken ct)
    {
        if (_log.FirstSequence <= 1)
        {
            return true;
        }

        var first = await _log.ReadAsync(_log.FirstSequence, ct);
        if (first?.Record.ReceiveTime is { } receive)
        {
            return time >= receive.ToDateTime();
        }

        return _log.Base?.AsOf is not { } asOf || time >= asOf;
    }

    public async Task<PointInTimeResult> CheckAsync(string tenant, ulong recipient, string sender, string app, SmsType type, DateTime time, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(sender);
        if (!_scopes.TryGetTenantId(tenant, out var tenantId))
        {
            var (mask, _) = DefaultRule();
            return new PointInTimeResult(Verdict.Allowed, null, null, mask, RuleSource.Default, 0);
        }

        var state = await ReplayEntriesAsync(tenantId, recipient, sender, app, time, ct);
        var rule = await FindRuleAsync(tenant, tenantId, sender, app, time, ct);

        var entries = default(RecipientEntries);
        foreach (var (slot, record) in state.Entries)
        {
            entries.Set(slot.Kind, slot.Scope, EntryValue.Create(record.Sequence, SmsTypeMasks.From(record.SmsTypes), (byte)record.Source));
        }

        entries.TenantOptOutLifted = state.TenantOptOutLifted;

        var decision = DecisionRules.Decide(entries, type, rule.Mask, ConfirmationState.Open);
        var sequence = Math.Max(Math.Max(state.Sequence, rule.Sequence), await LastTenantRecordAsync(tenant, time, ct));
        return new PointInTimeResult(
            decision.Verdict,
            ViewOf(decision.Decider, state.Entries),
            ViewOf(decision.Bypassed, state.Entries),
            rule.Mask,
            rule.Source,
            sequence)
        {
            DeciderText = TextOf(decision.Decider, state.Entries),
            BypassedText = TextOf(decision.Bypassed, state.Entries),
        };
    }

    private static string TextOf(DecidingEntry decider, Dictionary<(IndexEntryKind Kind, EntryScope Scope), ChangeRecord> entries) =>
        decider.Found && entries.TryGetValue((decider.Kind, decider.Scope), out var record) ? ExplanationText.Made(record, decider.Kind) : "";

    private static Entry? ViewOf(DecidingEntry decider, Dictionary<(IndexEntryKind Kind, EntryScope Scope), ChangeRecord> entries) =>
        decider.Found && entries.TryGetValue((decider.Kind, decider.Scope), out var record)
            ? EntryViews.FromRecord(decider.Kind, record, SmsTypeMasks.From(record.SmsTypes))
            : null;

    private async Task<(Dictionary<(IndexEntryKind Kind, EntryScope Scope), ChangeRecord> Entries, ulong Sequence, bool TenantOptOutLifted)> ReplayEntriesAsync(
        uint tenantId, ulong recipient, string sender, string app, DateTime time, CancellationToken ct)
    {
        var changes = new List<ChangeRecord>();
        var position = _heads.GetRecipientHead(tenantId, recipient);
        while (position != 0 && await _log.ReadAsync(position, ct) is { } entry)
        {
            var record = entry.Record;
            if (record.EventTime is { } eventTime && eventTime.ToDateTime() <= time
                && EntryKinds.TryKindOf(record.Action, out _, out _)
                && E164.TryParse(record.Recipient, out var number) && number == recipient)
            {
                changes.Add(record);
            }

            position = entry.PreviousForRecipient;
        }

        // Event order, as live state follows it (an opt-out after an opt-in of the same time). Every keyword event is
        // replayed in its place, also one that arrived late and was superseded then: in event order it is where it belongs.
        changes.Sort(static (a, b) =>
        {
            var c = a.EventTime.CompareTo(b.EventTime);
            if (c == 0)
            {
                c = (a.Action == ChangeAction.OptOut).CompareTo(b.Action == ChangeAction.OptOut);
            }

            return c != 0 ? c : a.Sequence.CompareTo(b.Sequence);
        });

        var entries = new Dictionary<(IndexEntryKind, EntryScope), ChangeRecord>();
        ulong sequence = 0;
        ChangeRecord? optInHere = null;
        foreach (var record in changes)
        {
            if (!EntryTarget.TryResolve(record.Scope, record.Sender, record.App, out var scopeSender, out var scopeApp)
                || !TryScopeOf(scopeSender, scopeApp, sender, app, out var scope))
            {
                continue;
            }

            EntryKinds.TryKindOf(record.Action, out var kind, out var adds);
            if (record.Action == ChangeAction.OptIn && record.Source == Source.MoKeyword && scope == EntryScope.Sender)
            {
                // The recipient's own opt-in here: it lifts an earlier tenant-wide opt-out at this sender.
                optInHere = record;
            }

            // In event order every keyword event acts as its action says, also one that was superseded or changed
            // nothing when it arrived. A re-applied address opt-in (no MO text) repeats an earlier opt-in's event and
            // lifts no entry of its own scope.
            if (adds)
            {
                entries[(kind, scope)] = record;
            }
            else if (!(record.LiftsTenantOptOut && record.MoText.Length == 0))
            {
                entries.Remove((kind, scope));
            }

            sequence = Math.Max(sequence, record.Sequence);
        }

        // Lifted when the recipient's last opt-in here came after the tenant-wide opt-out in event order.
        var lifted = optInHere is not null && entries.TryGetValue((IndexEntryKind.OptOut, EntryScope.Tenant), out var tenantWide)
            && changes.IndexOf(optInHere) > changes.IndexOf(tenantWide);
        if (lifted)
        {
            entries[(IndexEntryKind.AddressOptIn, EntryScope.Sender)] = optInHere!;
        }

        return (entries, sequence, lifted);
    }

    /// <summary>Records searched backwards from the last one received by the time for one of the tenant's.</summary>
    public const int TenantRecordSearchBudget = 10_000;

    /// <summary>
    /// The tenant's last record received at or before <paramref name="time"/> (its event time is at or before it too):
    /// receive time grows with sequence, so a binary search finds the last record received by then, and a short walk back
    /// finds the tenant's (0 when there is none within <see cref="TenantRecordSearchBudget"/> records).
    /// </summary>
    private async ValueTask<ulong> LastTenantRecordAsync(string tenant, DateTime time, CancellationToken ct)
    {
        var last = _log.LastSequence;
        if (last < _log.FirstSequence)
        {
            return 0;
        }

        var after = await ReceiveTimeSearch.FirstAtOrAfterAsync(_log, _log.FirstSequence, last, time.AddTicks(1), ct);
        for (var position = after - 1; position >= _log.FirstSequence && position > 0 && after - position <= TenantRecordSearchBudget; position--)
        {
            if (await _log.ReadAsync(position, ct) is { } entry && entry.Record.TenantId == tenant)
            {
                return position;
            }
        }

        return 0;
    }

    /// <summary>Which of the three scopes of a check at (sender, app) a record's target is, if any.</summary>
    private static bool TryScopeOf(string scopeSender, string scopeApp, string sender, string app, out EntryScope scope)
    {
        if (scopeSender.Length == 0)
        {
            scope = EntryScope.Tenant;
            return true;
        }

        scope = scopeApp.Length == 0 ? EntryScope.Sender : EntryScope.SenderApp;
        return string.Equals(scopeSender, sender, StringComparison.Ordinal)
            && (scopeApp.Length == 0 || (app.Length != 0 && string.Equals(scopeApp, app, StringComparison.Ordinal)));
    }

    private async Task<(byte Mask, RuleSource Source, ulong Sequence)> FindRuleAsync(
        string tenant, uint tenantId, string sender, string app, DateTime time, CancellationToken ct)
    {
        var position = _heads.GetSenderHead(tenantId, sender);
        var steps = 0;
        while (position != 0 && await _log.ReadAsync(position, ct) is { } entry)
        {
            if (steps++ == RuleSearchBudget)
            {
                var mask = _config.GetBlockedMask(tenant, sender, app, out _);
                return (mask, RuleSource.Current, 0);
            }

            var record = entry.Record;
            if (record.Config is { } config && record.EventTime is { } eventTime && eventTime.ToDateTime() <= time)
            {
                if (config.ConfigCase == ConfigChange.ConfigOneofCase.BlockingRule
                    && string.Equals(config.BlockingRule.Sender, sender, StringComparison.Ordinal)
                    && string.Equals(config.BlockingRule.App, app, StringComparison.Ordinal))
                {
                    return record.Action == ChangeAction.ConfigPut
                        ? (SmsTypeMasks.From(config.BlockingRule.BlockedSmsTypes), RuleSource.History, record.Sequence)
                        : (DefaultRule().Mask, RuleSource.Default, record.Sequence);
                }

                if (config.ConfigCase == ConfigChange.ConfigOneofCase.InboundAddress && record.Action == ChangeAction.ConfigDelete)
                {
                    return (DefaultRule().Mask, RuleSource.Default, record.Sequence);
                }
            }

            position = entry.PreviousForSender;
        }

        // The tenant's default rule of the app (empty sender) is in no sender's chain: today's stands in when there is one.
        if (_config.TryGetBlockingRule(tenant, "", app, out var tenantDefault))
        {
            return (SmsTypeMasks.From(tenantDefault.BlockedSmsTypes), RuleSource.Current, 0UL);
        }

        // The sender's older records are not held here (a replica bootstrapped from a snapshot): today's rule stands in.
        return _log.FirstSequence > 1
            ? (_config.GetBlockedMask(tenant, sender, app, out _), RuleSource.Current, 0UL)
            : (DefaultRule().Mask, RuleSource.Default, 0);
    }

    private static (byte Mask, bool IsDefault) DefaultRule() => (SmsTypeMasks.DefaultBlocked, true);
}
