using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Core.Keywords;
using OptOutGate.Core.Writes;
using EntryKind = OptOutGate.Core.Index.EntryKind;

namespace OptOutGate.Core.Mo;

/// <summary>
/// The decision for one classified MO message that may change state (OPTED_OUT, OPTED_IN, AMBIGUOUS), taken on the write
/// pipeline's loop (<see cref="Build"/>) against the state as of every earlier write: a duplicate check that claims the
/// message, the tenant's policies (ambiguous policy, revoke-all), the entry of the target, and event-time ordering.
/// </summary>
/// <remarks>
/// Ordering (DESIGN.md: "a STOP and a START that arrive out of order end in the state of the later event; both stay in
/// the history"): when the latest MO opt-out/opt-in of the target has a later carrier time than this message and this
/// message would flip the state, this message is recorded as it is and, in the same batch, a second record puts the
/// state back (same action, source and carrier time as the later message's, reason "re-applied"). Both records are
/// history; replicas apply them like any other; no reply goes out for the late message.
/// </remarks>
internal sealed class MoDecision
{
    private readonly MoLedger _ledger;
    private readonly string _tenant;
    private readonly MoMessage _message;
    private readonly ulong _recipient;
    private readonly Classification _classification;
    private readonly UInt128 _messageKey;
    private readonly UInt128 _contentKey;

    public MoDecision(MoLedger ledger, string tenant, MoMessage message, ulong recipient, Classification classification, UInt128 messageKey, UInt128 contentKey)
    {
        _ledger = ledger;
        _tenant = tenant;
        _message = message;
        _recipient = recipient;
        _classification = classification;
        _messageKey = messageKey;
        _contentKey = contentKey;
        Action = classification.Action;
    }

    public MoTicket Ticket { get; } = new();

    /// <summary>Set by <see cref="Build"/>: the message was seen before (<see cref="DuplicateOf"/>, or pending <see cref="DuplicatePending"/>).</summary>
    public bool Duplicate { get; private set; }

    public SeenMo DuplicateOf { get; private set; }

    public MoTicket? DuplicatePending { get; private set; }

    /// <summary>The action after the tenant's ambiguous policy (AMBIGUOUS under OPT_OUT becomes OPTED_OUT).</summary>
    public MoAction Action { get; private set; }

    public Scope Scope { get; private set; }

    /// <summary>True when the state changed as the message asked: its confirmation reply is due.</summary>
    public bool Changed { get; private set; }

    public string ReviewItemId { get; private set; } = "";

    /// <summary>The message's own record (null when it wrote none).</summary>
    public ChangeRecord? Record { get; private set; }

    public IReadOnlyList<ChangeRecord> Written { get; private set; } = [];

    public IReadOnlyList<ChangeRecord> Build(WriteStateView view)
    {
        var now = view.Now.UtcDateTime;
        if (_ledger.TryFindOrClaim(_messageKey, _contentKey, now, Ticket, out var seen, out var pending))
        {
            Duplicate = true;
            DuplicateOf = seen;
            DuplicatePending = pending;
            return [];
        }

        var policy = view.GetTenantPolicy(_tenant);
        if (Action == MoAction.Ambiguous && policy.AmbiguousPolicy == AmbiguousPolicy.OptOut)
        {
            Action = MoAction.OptedOut;
        }

        if (Action == MoAction.Ambiguous)
        {
            var ambiguous = NewRecord(ChangeAction.Ambiguous, Scope.Unspecified);
            if (policy.AmbiguousPolicy is AmbiguousPolicy.Review or AmbiguousPolicy.Unspecified)
            {
                ReviewItemId = "rv_" + Guid.NewGuid().ToString("N");
                ambiguous.ReviewItemId = ReviewItemId;
            }

            return Wrote([ambiguous], ambiguous);
        }

        var optOut = Action == MoAction.OptedOut;
        var tenantWide = policy.RevokeAll || (optOut && _classification.TenantWide);
        var scopeSender = tenantWide ? "" : _message.InboundAddress;
        Scope = tenantWide ? Scope.Tenant : Scope.Sender;
        var exists = view.TryGetEntry(_tenant, scopeSender, "", EntryKind.OptOut, _recipient, out var entry);
        if (exists == optOut)
        {
            // Already in the state the message asks for: nothing changes, no record, no second confirmation.
            return [];
        }

        var record = NewRecord(optOut ? ChangeAction.OptOut : ChangeAction.OptIn, Scope);
        var carrierTicks = _message.CarrierTime.ToDateTime().Ticks;
        var key = new OrderKey(_tenant, scopeSender, _recipient);
        if (_ledger.TryGetLatest(key, out var latest) && latest.EventTicks > carrierTicks)
        {
            var reapplied = new ChangeRecord
            {
                Sender = _message.InboundAddress,
                Recipient = _message.FromNumber,
                Action = exists ? ChangeAction.OptOut : ChangeAction.OptIn,
                Scope = Scope,
                Source = exists ? entry.Source : Source.MoKeyword,
                CarrierMessageId = latest.CarrierMessageId,
                EventTime = Timestamp.FromDateTime(new DateTime(latest.EventTicks, DateTimeKind.Utc)),
                Reason = string.Create(
                    CultureInfo.InvariantCulture,
                    $"re-applied: a later MO (carrier time {new DateTime(latest.EventTicks, DateTimeKind.Utc):O}) decides over the late MO {_message.CarrierMessageId} recorded just before"),
            };
            return Wrote([record, reapplied], record);
        }

        _ledger.ClaimLatest(key, new LatestMo(carrierTicks, optOut, 0, now.Ticks, _message.CarrierMessageId), Ticket);
        Changed = true;
        return Wrote([record], record);
    }

    private IReadOnlyList<ChangeRecord> Wrote(ChangeRecord[] records, ChangeRecord own)
    {
        Record = own;
        Written = records;
        return records;
    }

    private ChangeRecord NewRecord(ChangeAction action, Scope scope) => new()
    {
        // The sender is the inbound address even for tenant-wide opt-outs: the confirmation goes from it, and the
        // history by sender shows the message.
        Sender = _message.InboundAddress,
        Recipient = _message.FromNumber,
        App = _message.App,
        Action = action,
        Scope = scope,
        Source = Source.MoKeyword,
        MoText = _message.Text,
        CarrierMessageId = _message.CarrierMessageId,
        MatchedKeyword = _classification.MatchedKeyword,
        Rule = _classification.Rule,
        EventTime = _message.CarrierTime,
    };
}
