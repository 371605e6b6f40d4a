using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Mo;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Workflow;
using Grpc.Core;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Admin;

// The MO-side workflows: removal requests and the review queue (provider errors and bulk import are in their own files).
// Every step is a history record written through the engine's write pipeline and folded into the MO ledger before the
// answer, so a read right after a write sees it.
internal sealed partial class AdminService
{
    public override async Task<RemovalRequest> CreateRemovalRequest(CreateRemovalRequestRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        if (!OptOutGate.Engine.Recipients.E164.TryParse(request.Recipient, out _))
        {
            throw Invalid("recipient: not E.164.");
        }

        TextChecks.CheckReason(request.Reason, "reason", required: true);
        if (request.Sender.Length != 0)
        {
            TextChecks.CheckSender(request.Sender, "sender");
        }

        TextChecks.CheckApp(request.App, "app");
        if (request.Scope == Scope.Tenant ? request.Sender.Length != 0 || request.App.Length != 0
            : !EntryTarget.TryResolve(request.Scope, request.Sender, request.App, out _, out _))
        {
            throw Invalid("scope, sender, app: SENDER needs a sender, SENDER_APP a sender and an app, TENANT neither (UNSPECIFIED: SENDER_APP when app is set, else SENDER).");
        }

        EntryTarget.TryResolve(request.Scope, request.Sender, request.App, out var sender, out var app);
        var target = new RemovalTarget(identity.TenantId, EntryTarget.ScopeOf(sender, app), sender, app, request.Recipient);
        var (engine, processor) = await moHost.RequireAsync(context.CancellationToken);
        var decision = new RemovalCreateDecision(processor.Ledger, target, request.Reason);
        await RunAsync(engine, processor.Ledger, decision, identity, context.CancellationToken);
        switch (decision.Outcome)
        {
            case WorkflowOutcome.NotFound:
                throw new RpcException(new Status(StatusCode.NotFound, "No opt-out entry exists for this scope, sender, app and recipient."));
            case WorkflowOutcome.AlreadyExists:
                throw new RpcException(new Status(StatusCode.AlreadyExists, "A PENDING removal request for this opt-out entry exists."));
            default:
                return processor.Ledger.TryGetRemoval(identity.TenantId, decision.Id, out var created, out _)
                    ? created
                    : throw new RpcException(new Status(StatusCode.Internal, "The removal request was written but is not in the ledger."));
        }
    }

    public override async Task<RemovalRequest> GetRemovalRequest(GetRemovalRequestRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        if (request.Id.Length == 0)
        {
            throw Invalid("id: required.");
        }

        var (_, processor) = await moHost.RequireAsync(context.CancellationToken);
        return processor.Ledger.TryGetRemoval(identity.TenantId, request.Id, out var found, out _)
            ? found
            : throw new RpcException(new Status(StatusCode.NotFound, "No removal request with this id."));
    }

    public override async Task<ListRemovalRequestsResponse> ListRemovalRequests(ListRemovalRequestsRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var pageSize = Paging.PageSize(request.PageSize);
        var fingerprint = new Fingerprint().Add(identity.TenantId).Add((ulong)request.State).Add(request.Recipient).Compute();
        var after = Paging.Decode(request.PageToken, PageList.RemovalRequests, fingerprint).Position;
        var (_, processor) = await moHost.RequireAsync(context.CancellationToken);
        var all = processor.Ledger.ListRemovals(identity.TenantId, request.State, request.Recipient);
        var response = new ListRemovalRequestsResponse();
        foreach (var item in all)
        {
            if (item.CreateSequence <= after)
            {
                continue;
            }

            if (response.RemovalRequests.Count == pageSize)
            {
                response.NextPageToken = new PageToken(response.RemovalRequests[^1].CreateSequence, "").Encode(PageList.RemovalRequests, fingerprint);
                break;
            }

            response.RemovalRequests.Add(item);
        }

        return response;
    }

    public override async Task<RemovalRequest> ReviewRemovalRequest(ReviewRemovalRequestRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        if (request.Id.Length == 0)
        {
            throw Invalid("id: required.");
        }

        if (request.Decision is not (ReviewDecision.Approve or ReviewDecision.Reject))
        {
            throw Invalid("decision: APPROVE or REJECT required.");
        }

        TextChecks.CheckReason(request.Note, "note", required: request.Decision == ReviewDecision.Reject);
        var (engine, processor) = await moHost.RequireAsync(context.CancellationToken);
        var decision = new RemovalReviewDecision(processor.Ledger, identity.TenantId, request.Id, request.Decision == ReviewDecision.Approve, request.Note, identity.KeyId);
        await RunAsync(engine, processor.Ledger, decision, identity, context.CancellationToken);
        switch (decision.Outcome)
        {
            case WorkflowOutcome.NotFound:
                throw new RpcException(new Status(StatusCode.NotFound, "No removal request with this id."));
            case WorkflowOutcome.NotPending:
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "The removal request is no longer PENDING."));
            case WorkflowOutcome.SameKey:
                throw new RpcException(new Status(StatusCode.PermissionDenied, "Four eyes: the key that created a removal request cannot approve it; another admin key must review it (the creator may reject it)."));
            default:
                return processor.Ledger.TryGetRemoval(identity.TenantId, request.Id, out var reviewed, out _)
                    ? reviewed
                    : throw new RpcException(new Status(StatusCode.Internal, "The review was written but the request is not in the ledger."));
        }
    }

    public override async Task<ListReviewQueueResponse> ListReviewQueue(ListReviewQueueRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var pageSize = Paging.PageSize(request.PageSize);
        var fingerprint = new Fingerprint().Add(identity.TenantId).Add(request.OverdueOnly ? 1UL : 0UL).Add(request.Sender).Compute();
        var after = Paging.Decode(request.PageToken, PageList.ReviewQueue, fingerprint).Position;
        var (engine, processor) = await moHost.RequireAsync(context.CancellationToken);
        var days = BusinessDays.ReviewDays(engine.Config.GetTenantPolicy(identity.TenantId).ReviewDueBusinessDays);
        var now = time.GetUtcNow().UtcDateTime;
        var response = new ListReviewQueueResponse();
        foreach (var item in processor.Ledger.OpenReviewItems(identity.TenantId, request.Sender))
        {
            var due = BusinessDays.Add(item.ReceiveTime.ToDateTime(), days);
            item.DueTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(due);
            item.Overdue = due < now;
            if (request.OverdueOnly && !item.Overdue)
            {
                continue;
            }

            response.TotalOpen++;
            if (item.Sequence <= after || response.NextPageToken.Length != 0)
            {
                continue;
            }

            if (response.Items.Count == pageSize)
            {
                response.NextPageToken = new PageToken(response.Items[^1].Sequence, "").Encode(PageList.ReviewQueue, fingerprint);
                continue;
            }

            response.Items.Add(item);
        }

        return response;
    }

    public override async Task<ResolveReviewItemResponse> ResolveReviewItem(ResolveReviewItemRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        if (request.Id.Length == 0)
        {
            throw Invalid("id: required.");
        }

        if (request.Resolution is not (ReviewResolution.OptOut or ReviewResolution.NotOptOut))
        {
            throw Invalid("resolution: OPT_OUT or NOT_OPT_OUT required.");
        }

        TextChecks.CheckReason(request.Note, "note", required: false);
        var (engine, processor) = await moHost.RequireAsync(context.CancellationToken);
        var decision = new ReviewResolveDecision(processor.Ledger, identity.TenantId, request.Id, request.Resolution == ReviewResolution.OptOut, request.Note);
        await RunAsync(engine, processor.Ledger, decision, identity, context.CancellationToken);
        return decision.Outcome switch
        {
            WorkflowOutcome.NotFound => throw new RpcException(new Status(StatusCode.NotFound, "No review item with this id.")),
            WorkflowOutcome.NotPending => throw new RpcException(new Status(StatusCode.FailedPrecondition, "The review item is already resolved.")),
            _ => new ResolveReviewItemResponse { Item = WithDue(decision.Item, engine, identity.TenantId), Resolution = request.Resolution, Sequence = decision.LastRecord?.Sequence ?? 0 },
        };
    }

    /// <summary>The item as ListReviewQueue shows it: with its due time and whether that has passed.</summary>
    private ReviewItem? WithDue(ReviewItem? item, GateEngine engine, string tenant)
    {
        if (item is null)
        {
            return null;
        }

        var days = BusinessDays.ReviewDays(engine.Config.GetTenantPolicy(tenant).ReviewDueBusinessDays);
        var due = BusinessDays.Add(item.ReceiveTime.ToDateTime(), days);
        item.DueTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(due);
        item.Overdue = due < time.GetUtcNow().UtcDateTime;
        return item;
    }

    private static async Task RunAsync(GateEngine engine, MoLedger ledger, WorkflowDecision decision, CallIdentity identity, CancellationToken ct)
    {
        try
        {
            await WorkflowRunner.RunAsync(engine, ledger, decision, identity.TenantId, identity.KeyId, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException and not RpcException)
        {
            throw StatusMapping.ForWriteFailure(e);
        }
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
