using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;

namespace OptOutGate.Engine.Mo;

internal sealed partial class MoLedger
{
    private void FoldLocked(ChangeRecord record)
    {
        if (record.TenantId.Length == 0)
        {
            return;
        }

        var receiveTicks = record.ReceiveTime?.ToDateTime().Ticks ?? 0;
        switch (record.Action)
        {
            case ChangeAction.OptOut:
            case ChangeAction.OptIn:
                FoldOrder(record, receiveTicks);
                if (record.Source == Source.MoKeyword)
                {
                    FoldSeen(record, receiveTicks, SeenAction(record));
                }

                if (record.ReviewItemId.Length != 0 && _reviewItems.TryGetValue(record.ReviewItemId, out var resolvedByOptOut))
                {
                    resolvedByOptOut.Resolved = true;
                }

                break;
            case ChangeAction.Ambiguous:
                FoldSeen(record, receiveTicks, MoAction.Ambiguous);
                if (record.ReviewItemId.Length != 0 && !_reviewItems.ContainsKey(record.ReviewItemId))
                {
                    _reviewItems.Add(record.ReviewItemId, new ReviewItemState(record.TenantId, ReviewItemOf(record)));
                }

                break;
            case ChangeAction.MoReceived:
                FoldSeen(record, receiveTicks, record.Rule == ClassificationRule.LeadingHelp ? MoAction.Help : MoAction.None);
                break;
            case ChangeAction.ReviewDismissed:
                if (_reviewItems.TryGetValue(record.ReviewItemId, out var dismissed))
                {
                    dismissed.Resolved = true;
                }

                break;
            case ChangeAction.RemovalRequested:
                if (record.RemovalRequestId.Length != 0 && !_removals.ContainsKey(record.RemovalRequestId))
                {
                    _removals.Add(record.RemovalRequestId, new RemovalState(record.TenantId, RemovalRequestOf(record)));
                }

                break;
            case ChangeAction.RemovalApproved:
            case ChangeAction.RemovalRejected:
                if (_removals.TryGetValue(record.RemovalRequestId, out var reviewed)
                    && reviewed.Request.State == RemovalRequestState.Pending)
                {
                    var request = reviewed.Request;
                    request.State = record.Action == ChangeAction.RemovalApproved ? RemovalRequestState.Approved : RemovalRequestState.Rejected;
                    request.ReviewerKeyId = record.ActorKeyId;
                    request.ReviewNote = record.Reason;
                    request.ReviewTime = record.ReceiveTime;
                    request.ReviewSequence = record.Sequence;
                }

                break;
            case ChangeAction.OptOutRemoved:
                FoldOrder(record, receiveTicks);

                // The record that lifts the opt-out of an approved request is the request's review_sequence.
                if (record.RemovalRequestId.Length != 0 && _removals.TryGetValue(record.RemovalRequestId, out var lifted)
                    && lifted.Request.State == RemovalRequestState.Approved && lifted.Request.ReviewSequence < record.Sequence)
                {
                    lifted.Request.ReviewSequence = record.Sequence;
                }

                break;
            default:
                break;
        }
    }

    private void FoldSeen(ChangeRecord record, long receiveTicks, MoAction action)
    {
        // Only an MO's own record carries its text; re-applied records (MoProcessor, late MO) carry none.
        if (record.CarrierMessageId.Length == 0 || record.MoText.Length == 0 || record.EventTime is null)
        {
            return;
        }

        // The content key is the message's own: its inbound address and the carrier time as the carrier gave it.
        var seen = new SeenMo(record.Sequence, receiveTicks, action);
        var to = record.InboundAddress.Length != 0 ? record.InboundAddress : record.Sender;
        var carrierTime = record.CarrierTime ?? record.EventTime;
        _messages.TryAdd(MoKeys.Message(record.TenantId, record.CarrierMessageId), seen);
        _contents.TryAdd(MoKeys.Content(record.TenantId, to, record.Recipient, record.MoText, carrierTime.ToDateTime().Ticks), seen);
    }

    private static MoAction SeenAction(ChangeRecord record) =>
        record.KeywordEffect == KeywordEffect.Superseded ? MoAction.Superseded
        : record.Action == ChangeAction.OptOut ? MoAction.OptedOut : MoAction.OptedIn;

    private void FoldOrder(ChangeRecord record, long receiveTicks)
    {
        if (!E164.TryParse(record.Recipient, out var recipient))
        {
            return;
        }

        var key = (record.TenantId, recipient);
        if (!_order.TryGetValue(key, out var order))
        {
            order = new RecipientOrder();
            if (!order.Fold(record, receiveTicks))
            {
                return;
            }

            _order[key] = order;
            return;
        }

        order.Fold(record, receiveTicks);
    }

    private static ReviewItem ReviewItemOf(ChangeRecord record) => new()
    {
        Id = record.ReviewItemId,
        Sender = record.Sender,
        Recipient = record.Recipient,
        App = record.App,
        MoText = record.MoText,
        MatchedKeyword = record.MatchedKeyword,
        CarrierMessageId = record.CarrierMessageId,
        EventTime = record.EventTime,
        ReceiveTime = record.ReceiveTime,
        Sequence = record.Sequence,
    };

    private static RemovalRequest RemovalRequestOf(ChangeRecord record) => new()
    {
        Id = record.RemovalRequestId,
        Scope = record.Scope,
        Sender = record.Sender,
        Recipient = record.Recipient,
        App = record.App,
        Reason = record.Reason,
        State = RemovalRequestState.Pending,
        RequesterKeyId = record.ActorKeyId,
        CreateTime = record.ReceiveTime,
        CreateSequence = record.Sequence,
    };
}
