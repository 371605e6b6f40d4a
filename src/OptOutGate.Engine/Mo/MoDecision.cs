using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo.Keywords;
using OptOutGate.Engine.Writes;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Mo;

/// <summary>
/// The decision for one classified MO message that may change state (OPTED_OUT, OPTED_IN, AMBIGUOUS), or that is only
/// recorded (HELP, NONE for a tenant with a reply-callback webhook subscription: CHANGE_ACTION_MO_RECEIVED), taken on the write
/// pipeline's loop (<see cref="BuildAsync"/>) against the state as of every earlier write: a duplicate check that claims
/// the message, the tenant's policies (ambiguous policy, revoke-all), event-time ordering, and the reply.
/// </summary>
/// <remarks>
/// <para>
/// Ordering (DESIGN.md "Handling an MO message"): every keyword event is a history record, also one that changes
/// nothing, and the state of each (recipient, scope) is the one of its latest event by event time, an opt-out winning a
/// tie. The event time is the earlier of the carrier time and the time the gate took the message (a carrier clock that
/// runs ahead cannot put a START after a STOP that came later). The decision is written into the record
/// (<see cref="ChangeRecord.KeywordEffect"/>, <see cref="ChangeRecord.LiftsTenantOptOut"/>), and the applier follows the
/// record, so a restart's replay and every replica end in the same state.
/// </para>
/// <para>
/// The latest event of a scope comes from the ledger's ordering state (every record of the recipient within the
/// ledger's window, pending decisions included) and from the record of the scope's entry, read when the ledger does not
/// know it (older than the window): an opt-in can never lift an opt-out whose record is later.
/// </para>
/// <para>
/// A START at an address after a tenant-wide opt-out lifts that opt-out at that address only (an address opt-in entry,
/// newer by sequence than the tenant-wide entry). A tenant-wide opt-out that takes effect is a newer record than every
/// address opt-in, so it blocks everywhere; where the recipient's opt-in at an address is later by event time than the
/// tenant-wide opt-out (a late STOPALL), a re-applied address opt-in record follows it in the same batch.
/// </para>
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

    /// <summary>Set by <see cref="BuildAsync"/>: the message was seen before (<see cref="DuplicateOf"/>, or pending <see cref="DuplicatePending"/>).</summary>
    public bool Duplicate { get; private set; }

    public SeenMo DuplicateOf { get; private set; }

    public MoTicket? DuplicatePending { get; private set; }

    /// <summary>
    /// The action after the tenant's ambiguous policy (AMBIGUOUS under OPT_OUT becomes OPTED_OUT) and ordering (an event
    /// a later one decides over becomes SUPERSEDED).
    /// </summary>
    public MoAction Action { get; private set; }

    public Scope Scope { get; private set; }

    /// <summary>True when the state changed as the message asked: its confirmation reply is due.</summary>
    public bool Changed { get; private set; }

    /// <summary>The reply handed out (the recipient's one confirmation); empty when none is due or none is configured.</summary>
    public string ReplyText { get; private set; } = "";

    public string ReplyLanguageCode { get; private set; } = "";

    public string ReviewItemId { get; private set; } = "";

    /// <summary>The message's own record (null when it wrote none).</summary>
    public ChangeRecord? Record { get; private set; }

    public IReadOnlyList<ChangeRecord> Written { get; private set; } = [];

    public async ValueTask<IReadOnlyList<ChangeRecord>> BuildAsync(WriteStateView view)
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

        var eventTime = EventTime(now);
        if (Action is MoAction.Help or MoAction.None)
        {
            // Recorded only for a tenant with a reply-callback webhook subscription (MoProcessor decides): the message
            // itself, changing nothing, so the callback can deliver it and a carrier retry is a DUPLICATE after a restart.
            var received = NewRecord(ChangeAction.MoReceived, Scope.Unspecified, _message.InboundAddress, eventTime);
            return Wrote([received], received);
        }

        if (Action == MoAction.Ambiguous)
        {
            var ambiguous = NewRecord(ChangeAction.Ambiguous, Scope.Unspecified, _message.InboundAddress, eventTime);
            if (policy.AmbiguousPolicy is AmbiguousPolicy.Review or AmbiguousPolicy.Unspecified)
            {
                ReviewItemId = "rv_" + Guid.NewGuid().ToString("N");
                ambiguous.ReviewItemId = ReviewItemId;
            }

            return Wrote([ambiguous], ambiguous);
        }

        var optOut = Action == MoAction.OptedOut;
        var tenantWide = policy.RevokeAll || (optOut && _classification.TenantWide);
        var address = _message.InboundAddress;
        var scopeSender = tenantWide ? "" : address;
        Scope = tenantWide ? Scope.Tenant : Scope.Sender;

        var order = _ledger.OrderOf(_tenant, _recipient);
        var own = new KeywordEvent(eventTime.ToDateTime().Ticks, optOut, 0);
        var record = NewRecord(optOut ? ChangeAction.OptOut : ChangeAction.OptIn, Scope, scopeSender, eventTime);
        var exists = view.TryGetEntry(_tenant, scopeSender, "", EntryKind.OptOut, _recipient, out var entry);
        var latest = await LatestAsync(view, order, scopeSender, exists, entry);
        KeywordEvent? decidedBy = null;
        KeywordEffect effect;
        if (latest is { } later && later.IsLaterThan(own))
        {
            effect = KeywordEffect.Superseded;
            decidedBy = later;
        }
        else
        {
            effect = exists == optOut ? KeywordEffect.Unchanged : KeywordEffect.Changed;
        }

        if (!optOut && !tenantWide && view.TryGetEntry(_tenant, "", "", EntryKind.OptOut, _recipient, out var tenantEntry))
        {
            var tenantLatest = await LatestAsync(view, order, "", exists: true, tenantEntry);
            if (tenantLatest is { } tenantOptOut && !own.IsLaterThan(tenantOptOut))
            {
                // The recipient's later tenant-wide opt-out keeps blocking here. The opt-in still counts against older
                // events of its own scope in the ordering, but lifts nothing (the safe side: an older opt-out entry of
                // this address stays until a later opt-in).
                if (effect != KeywordEffect.Superseded)
                {
                    effect = KeywordEffect.Superseded;
                    decidedBy = tenantOptOut;
                }
            }
            else
            {
                record.LiftsTenantOptOut = true;
                if (effect == KeywordEffect.Unchanged && !AlreadyLifted(view, tenantEntry))
                {
                    effect = KeywordEffect.Changed;
                }
            }
        }

        var written = new List<ChangeRecord>(2) { record };
        if (optOut && tenantWide && effect != KeywordEffect.Superseded)
        {
            // This tenant-wide opt-out is a newer record than every address opt-in; those the recipient sent later (by
            // event time) than it keep deciding at their address, so they are written again after it.
            foreach (var scope in order.Scopes)
            {
                if (scope.Sender.Length != 0 && scope.LatestOptIn is { } optIn && optIn.IsLaterThan(own))
                {
                    written.Add(Reapplied(scope, optIn));
                }
            }
        }

        return Finish(view, record, written, effect, decidedBy);
    }

    private IReadOnlyList<ChangeRecord> Finish(WriteStateView view, ChangeRecord record, List<ChangeRecord> written, KeywordEffect effect, KeywordEvent? decidedBy)
    {
        record.KeywordEffect = effect;
        if (effect == KeywordEffect.Superseded && decidedBy is { } later)
        {
            Action = MoAction.Superseded;
            if (later.Record is { } pendingLater)
            {
                PendingLinks.SupersededBy(record, pendingLater);
            }
            else
            {
                record.SupersededBySequence = later.Sequence;
            }
        }

        Changed = effect == KeywordEffect.Changed;
        if (Changed && view.TryGetInboundAddress(_tenant, _message.InboundAddress, out var address) && address is not null)
        {
            var (text, language) = ReplyTexts.Select(address, _message.App, Action, _message.LanguageCode, _classification.LanguageCode);
            if (text.Length != 0)
            {
                // Handing the reply out spends the recipient's one confirmation: recorded with the message, so a
                // CONFIRMATION checked afterwards is blocked, also after a restart and on replicas.
                ReplyText = text;
                ReplyLanguageCode = language;
                written.Add(new ChangeRecord
                {
                    Sender = _message.InboundAddress,
                    Recipient = _message.FromNumber,
                    App = _message.App,
                    Action = ChangeAction.ConfirmationSent,
                    Source = Source.MoKeyword,
                    CarrierMessageId = _message.CarrierMessageId,
                    InboundAddress = _message.InboundAddress,
                    ReplyText = text,
                    EventTime = record.EventTime,
                });
            }
        }

        _ledger.ClaimOrder(_tenant, _recipient, written, Ticket);
        Record = record;
        Written = written;
        return written;
    }

    /// <summary>
    /// The latest event of a scope: the ledger's, and the record of the scope's entry when the ledger does not know that
    /// record (it is older than the ledger's window, or another writer's change not folded yet).
    /// </summary>
    private static async ValueTask<KeywordEvent?> LatestAsync(WriteStateView view, RecipientOrder order, string scopeSender, bool exists, EntryState entry)
    {
        var known = order.Find(scopeSender)?.Latest;
        if (exists && (entry.PendingRecord is not null || known is not { } k || k.CurrentSequence < entry.Sequence)
            && await view.ReadRecordAsync(entry) is { } record && KeywordEvent.TryFrom(record, out var fromEntry))
        {
            known = known is { } current ? KeywordEvent.Max(current, fromEntry) : fromEntry;
        }

        return known;
    }

    /// <summary>Whether an address opt-in newer than the tenant-wide entry already lifts it at this address.</summary>
    private bool AlreadyLifted(WriteStateView view, EntryState tenantEntry) =>
        view.TryGetEntry(_tenant, _message.InboundAddress, "", EntryKind.AddressOptIn, _recipient, out var optIn)
        && tenantEntry.PendingRecord is null
        && (optIn.PendingRecord is not null || optIn.Sequence > tenantEntry.Sequence);

    private ChangeRecord Reapplied(ScopeOrder scope, KeywordEvent optIn) => new()
    {
        Sender = scope.Sender,
        Recipient = _message.FromNumber,
        Action = ChangeAction.OptIn,
        Scope = Scope.Sender,
        Source = Source.MoKeyword,
        InboundAddress = scope.Sender,
        CarrierMessageId = scope.LatestOptInCarrierMessageId,
        EventTime = Timestamp.FromDateTime(new DateTime(optIn.Ticks, DateTimeKind.Utc)),
        KeywordEffect = KeywordEffect.Unchanged,
        LiftsTenantOptOut = true,
        Reason = string.Create(
            CultureInfo.InvariantCulture,
            $"re-applied: the recipient's opt-in at {scope.Sender} on {new DateTime(optIn.Ticks, DateTimeKind.Utc):yyyy-MM-dd'T'HH:mm:ss'Z'} (message {scope.LatestOptInCarrierMessageId}) is later than the tenant-wide opt-out {_message.CarrierMessageId} recorded just before"),
    };

    /// <summary>The earlier of the carrier time and the gate's time (DESIGN.md: a carrier clock that runs ahead cannot put an event later).</summary>
    private Timestamp EventTime(DateTime now) =>
        _message.CarrierTime.ToDateTime() > now ? Timestamp.FromDateTime(now) : _message.CarrierTime;

    private IReadOnlyList<ChangeRecord> Wrote(ChangeRecord[] records, ChangeRecord own)
    {
        Record = own;
        Written = records;
        return records;
    }

    private ChangeRecord NewRecord(ChangeAction action, Scope scope, string sender, Timestamp eventTime) => new()
    {
        // Tenant-wide records name no sender (a sender's history shows them only with include_tenant_wide); the inbound
        // address the message came to, where its confirmation goes from, is inbound_address.
        Sender = sender,
        Recipient = _message.FromNumber,
        App = _message.App,
        Action = action,
        Scope = scope,
        Source = Source.MoKeyword,
        MoText = _message.Text,
        CarrierMessageId = _message.CarrierMessageId,
        MatchedKeyword = _classification.MatchedKeyword,
        Rule = _classification.Rule,
        EventTime = eventTime,
        CarrierTime = _message.CarrierTime,
        InboundAddress = _message.InboundAddress,
    };
}
