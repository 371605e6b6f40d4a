using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Writes;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Workflow;

/// <summary>
/// The second-step workflows of admin_workflow.proto, decided on the write pipeline's loop against the state as of every
/// earlier write (so two operators cannot both approve one request): removal requests (create, review) and review items
/// (resolve). Each step is one or two history records; the <see cref="MoLedger"/> folds them into the request's or
/// item's state. Builders never throw: what they find is <see cref="Outcome"/>.
/// </summary>
internal abstract class WorkflowDecision
{
    public MoTicket Ticket { get; } = new();

    public WorkflowOutcome Outcome { get; protected set; }

    public IReadOnlyList<ChangeRecord> Written { get; protected set; } = [];

    /// <summary>The last record written (the sequence a caller may use as min_sequence); null when none.</summary>
    public ChangeRecord? LastRecord => Written.Count == 0 ? null : Written[^1];

    public abstract IReadOnlyList<ChangeRecord> Build(WriteStateView view);

    protected IReadOnlyList<ChangeRecord> Write(params ChangeRecord[] records)
    {
        Written = records;
        return records;
    }

    protected IReadOnlyList<ChangeRecord> Refuse(WorkflowOutcome outcome)
    {
        Outcome = outcome;
        return [];
    }
}

/// <summary>CreateRemovalRequest: the opt-out entry must exist and have no PENDING request; writes REMOVAL_REQUESTED.</summary>
internal sealed class RemovalCreateDecision(MoLedger ledger, RemovalTarget target, string reason) : WorkflowDecision
{
    public string Id { get; private set; } = "";

    public override IReadOnlyList<ChangeRecord> Build(WriteStateView view)
    {
        if (!E164.TryParse(target.Recipient, out var recipient)
            || !view.TryGetEntry(target.Tenant, target.Sender, target.App, EntryKind.OptOut, recipient, out _))
        {
            return Refuse(WorkflowOutcome.NotFound);
        }

        if (!ledger.TryClaimRemovalTarget(target, Ticket))
        {
            return Refuse(WorkflowOutcome.AlreadyExists);
        }

        Id = "rr_" + Guid.NewGuid().ToString("N");
        return Write(new ChangeRecord
        {
            Sender = target.Sender,
            Recipient = target.Recipient,
            App = target.App,
            Scope = target.Scope,
            Action = ChangeAction.RemovalRequested,
            Source = Source.Admin,
            Reason = reason,
            RemovalRequestId = Id,
        });
    }
}

/// <summary>
/// ReviewRemovalRequest: only a PENDING request. Approval writes REMOVAL_APPROVED and, when the opt-out still exists,
/// OPT_OUT_REMOVED with source REMOVAL_APPROVED (which may lift an MO-made opt-out); rejection writes REMOVAL_REJECTED.
/// Four eyes: the key that created the request cannot approve it (it may reject, that is withdraw, it).
/// </summary>
internal sealed class RemovalReviewDecision(MoLedger ledger, string tenant, string id, bool approve, string note, string reviewerKeyId) : WorkflowDecision
{
    public override IReadOnlyList<ChangeRecord> Build(WriteStateView view)
    {
        if (!ledger.TryGetRemoval(tenant, id, out var request, out var reviewPending))
        {
            return Refuse(WorkflowOutcome.NotFound);
        }

        if (request.State != RemovalRequestState.Pending || reviewPending)
        {
            return Refuse(WorkflowOutcome.NotPending);
        }

        if (approve && string.Equals(request.RequesterKeyId, reviewerKeyId, StringComparison.Ordinal))
        {
            return Refuse(WorkflowOutcome.SameKey);
        }

        ledger.ClaimRemovalReview(id, Ticket);
        var review = Step(request, approve ? ChangeAction.RemovalApproved : ChangeAction.RemovalRejected, Source.Admin);
        if (!approve)
        {
            return Write(review);
        }

        if (E164.TryParse(request.Recipient, out var recipient)
            && view.TryGetEntry(tenant, request.Sender, request.App, EntryKind.OptOut, recipient, out _))
        {
            var lift = Step(request, ChangeAction.OptOutRemoved, Source.RemovalApproved);
            lift.Reason = note.Length != 0 ? note : request.Reason;
            return Write(review, lift);
        }

        return Write(review);
    }

    private ChangeRecord Step(RemovalRequest request, ChangeAction action, Source source) => new()
    {
        Sender = request.Sender,
        Recipient = request.Recipient,
        App = request.App,
        Scope = request.Scope,
        Action = action,
        Source = source,
        Reason = note,
        RemovalRequestId = id,
    };
}

/// <summary>
/// ResolveReviewItem: only an open item. OPT_OUT writes the opt-out the MO would have made (source MO_KEYWORD, event time
/// = the carrier time, SENDER or TENANT under revoke-all, rule 6); NOT_OPT_OUT writes REVIEW_DISMISSED.
/// </summary>
internal sealed class ReviewResolveDecision(MoLedger ledger, string tenant, string id, bool optOut, string note) : WorkflowDecision
{
    public ReviewItem? Item { get; private set; }

    public override IReadOnlyList<ChangeRecord> Build(WriteStateView view)
    {
        if (!ledger.TryGetReviewItem(tenant, id, out var item, out var closed))
        {
            return Refuse(WorkflowOutcome.NotFound);
        }

        if (closed)
        {
            return Refuse(WorkflowOutcome.NotPending);
        }

        Item = item;
        ledger.ClaimReviewResolution(id, Ticket);
        if (!optOut)
        {
            return Write(new ChangeRecord
            {
                Sender = item.Sender,
                Recipient = item.Recipient,
                App = item.App,
                Action = ChangeAction.ReviewDismissed,
                Source = Source.Admin,
                Reason = note,
                CarrierMessageId = item.CarrierMessageId,
                ReviewItemId = id,
            });
        }

        var tenantWide = view.GetTenantPolicy(tenant).RevokeAll;
        return Write(new ChangeRecord
        {
            Sender = item.Sender,
            Recipient = item.Recipient,
            App = item.App,
            Action = ChangeAction.OptOut,
            Scope = tenantWide ? Scope.Tenant : Scope.Sender,
            Source = Source.MoKeyword,
            Reason = note,
            MoText = item.MoText,
            CarrierMessageId = item.CarrierMessageId,
            MatchedKeyword = item.MatchedKeyword,
            Rule = ClassificationRule.AmbiguousKeyword,
            EventTime = item.EventTime ?? Timestamp.FromDateTimeOffset(view.Now),
            ReviewItemId = id,
        });
    }
}
