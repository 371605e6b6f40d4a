using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
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
    private const int MaxNote = 500;

    public override async Task<RemovalRequest> CreateRemovalRequest(CreateRemovalRequestRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        if (!OptOutGate.Engine.Recipients.E164.TryParse(request.Recipient, out _))
        {
            throw Invalid("recipient: not E.164.");
        }

        CheckText(request.Reason, "reason", required: true);
        CheckLength(request.Sender, 32, "sender");
        CheckLength(request.App, 64, "app");
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
        var pageSize = PageSize(request.PageSize);
        var filter = $"removals|{(int)request.State}|{request.Recipient}";
        var after = DecodeToken(request.PageToken, filter);
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
                response.NextPageToken = EncodeToken(response.RemovalRequests[^1].CreateSequence, filter);
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

        CheckText(request.Note, "note", required: request.Decision == ReviewDecision.Reject);
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
        var pageSize = PageSize(request.PageSize);
        var filter = $"review|{request.OverdueOnly}|{request.Sender}";
        var after = DecodeToken(request.PageToken, filter);
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
                response.NextPageToken = EncodeToken(response.Items[^1].Sequence, filter);
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

        CheckText(request.Note, "note", required: false);
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

    private static int PageSize(int requested) => requested switch
    {
        < 0 => throw Invalid("page_size: must not be negative."),
        0 => 100,
        > 1000 => 1000,
        _ => requested,
    };

    // Tokens name the last sequence of the page and the filters they were made with (AIP-158: same filters or INVALID_ARGUMENT).
    private static string EncodeToken(ulong sequence, string filter) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) + "|" + filter));

    private static ulong DecodeToken(string token, string filter)
    {
        if (token.Length == 0)
        {
            return 0;
        }

        try
        {
            var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && text.AsSpan(bar + 1).SequenceEqual(filter)
                && ulong.TryParse(text.AsSpan(0, bar), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence))
            {
                return sequence;
            }
        }
        catch (FormatException)
        {
            // Not base64: the same answer as any other bad token.
        }

        throw Invalid("page_token: not a token of this list with these filters.");
    }

    private static void CheckText(string text, string field, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(text))
        {
            throw Invalid(field + ": required (1-500 characters).");
        }

        CheckLength(text, MaxNote, field);
    }

    private static void CheckLength(string text, int max, string field)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        if (count > max)
        {
            throw Invalid($"{field}: longer than {max} characters.");
        }
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
