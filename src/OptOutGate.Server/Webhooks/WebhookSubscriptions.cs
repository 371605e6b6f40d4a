using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.Writes;
using OptOutGate.Server.Admin;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// The Admin RPCs of webhook subscriptions (admin_webhooks.proto), which AdminService forwards to (AdminService.Webhooks):
/// validation, the configuration records through the write pipeline (durable, in the history, replicated), the test
/// delivery at creation, secret rotation, and the delivery status and replay of this primary's
/// <see cref="WebhookDispatcher"/> (absent on a replica, which reports no status and refuses replays as writes).
/// </summary>
internal sealed class WebhookSubscriptions(GateEngineHost engineHost, WebhookOptions options, WebhookSender sender, TimeProvider time, IServiceProvider services)
{
    private const int MaxDescription = 200;
    private const int MaxBatchSize = 100;
    private static readonly string[] WritablePaths = ["url", "event_types", "description", "paused", "max_batch_size"];

    private WebhookDispatcher? Dispatcher => services.GetService<WebhookDispatcher>();

    public async Task<CreateWebhookSubscriptionResponse> CreateAsync(CreateWebhookSubscriptionRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var given = request.Subscription ?? throw AdminErrors.InvalidArgument("subscription: required.");
        var secret = given.Secret.Length == 0 ? WebhookSignature.NewSecret() : given.Secret;
        CheckSecret(secret, "subscription.secret");
        var subscription = new WebhookSubscription { Id = "wh_" + Guid.NewGuid().ToString("N") };
        CopyFields(given, subscription, WritablePaths);
        Check(subscription);

        var engine = engineHost.Require();
        if (engine.Config.ListWebhookSubscriptions(identity.TenantId).Count >= options.MaxSubscriptionsPerTenant)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"The tenant has {options.MaxSubscriptionsPerTenant} webhook subscriptions already (Webhooks:MaxSubscriptionsPerTenant); delete one first."));
        }

        var config = new WebhookSubscriptionConfig { Subscription = subscription, Secret = secret };
        await WriteAsync(engine, identity, config, delete: false, mustExist: false, context.CancellationToken);
        var stored = Stored(engine, identity.TenantId, subscription.Id);
        var test = await TestAsync(stored, context.CancellationToken);
        var view = View(engine, identity.TenantId, stored);
        view.Secret = secret;
        return new CreateWebhookSubscriptionResponse { Subscription = view, TestResult = test };
    }

    public Task<WebhookSubscription> GetAsync(GetWebhookSubscriptionRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var engine = engineHost.Require();
        return Task.FromResult(View(engine, identity.TenantId, Stored(engine, identity.TenantId, request.Id)));
    }

    public Task<ListWebhookSubscriptionsResponse> ListAsync(ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var engine = engineHost.Require();
        var response = new ListWebhookSubscriptionsResponse();
        foreach (var stored in engine.Config.ListWebhookSubscriptions(identity.TenantId))
        {
            response.Subscriptions.Add(View(engine, identity.TenantId, stored));
        }

        return Task.FromResult(response);
    }

    public async Task<WebhookSubscription> UpdateAsync(UpdateWebhookSubscriptionRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var given = request.Subscription ?? throw AdminErrors.InvalidArgument("subscription: required (with its id).");
        var engine = engineHost.Require();

        // Read-modify-write, as UpdateTenantPolicy: two concurrent updates of different fields can lose one (last writer
        // wins); each stays in the history.
        var config = Stored(engine, identity.TenantId, given.Id).Clone();
        var paths = request.UpdateMask is { Paths.Count: > 0 } mask ? mask.Paths : (IList<string>)WritablePaths;
        foreach (var path in paths)
        {
            if (Array.IndexOf(WritablePaths, path) < 0)
            {
                throw AdminErrors.InvalidArgument($"update_mask path '{path}' is unknown or output-only; writable: {string.Join(", ", WritablePaths)}.");
            }
        }

        CopyFields(given, config.Subscription, paths);
        Check(config.Subscription);
        string? rotated = null;
        if (request.RotateSecret)
        {
            rotated = request.NewSecret.Length == 0 ? WebhookSignature.NewSecret() : request.NewSecret;
            CheckSecret(rotated, "new_secret");
            var overlap = request.PreviousSecretOverlap is { } o ? o.ToTimeSpan() : options.DefaultSecretOverlap;
            if (overlap < TimeSpan.Zero || overlap > TimeSpan.FromDays(7))
            {
                throw AdminErrors.InvalidArgument("previous_secret_overlap: between 0 and 7 days.");
            }

            var now = time.GetUtcNow();
            config.PreviousSecret = overlap == TimeSpan.Zero ? "" : config.Secret;
            config.Subscription.PreviousSecretExpireTime = overlap == TimeSpan.Zero ? null : Timestamp.FromDateTimeOffset(now + overlap);
            config.Subscription.SecretRotateTime = Timestamp.FromDateTimeOffset(now);
            config.Secret = rotated;
        }
        else if (request.NewSecret.Length != 0 || request.PreviousSecretOverlap is not null)
        {
            throw AdminErrors.InvalidArgument("new_secret and previous_secret_overlap need rotate_secret.");
        }

        await WriteAsync(engine, identity, config, delete: false, mustExist: true, context.CancellationToken);
        var view = View(engine, identity.TenantId, Stored(engine, identity.TenantId, given.Id));
        view.Secret = rotated ?? "";
        return view;
    }

    public async Task<DeleteWebhookSubscriptionResponse> DeleteAsync(DeleteWebhookSubscriptionRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var engine = engineHost.Require();
        Stored(engine, identity.TenantId, request.Id);
        var config = new WebhookSubscriptionConfig { Subscription = new WebhookSubscription { Id = request.Id } };
        var sequence = await WriteAsync(engine, identity, config, delete: true, mustExist: true, context.CancellationToken);
        return new DeleteWebhookSubscriptionResponse { Sequence = sequence };
    }

    public async Task<WebhookSubscription> ReplayAsync(ReplayWebhookSubscriptionRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var engine = engineHost.Require();
        var stored = Stored(engine, identity.TenantId, request.Id);
        var from = request.FromSequence == 0 ? stored.Subscription.StartSequence : request.FromSequence;
        var log = engine.Log;
        if (from < log.FirstSequence)
        {
            throw AdminErrors.OutOfRange($"from_sequence {from} is older than the oldest record this node holds ({log.FirstSequence}).");
        }

        if (from > log.LastSequence + 1)
        {
            throw AdminErrors.InvalidArgument($"from_sequence {from} is beyond the newest committed sequence {log.LastSequence} + 1.");
        }

        if (Dispatcher is not { } dispatcher || !await dispatcher.ReplayAsync(identity.TenantId, request.Id, from))
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "Webhook deliveries are not running on this node yet; retry shortly."));
        }

        return View(engine, identity.TenantId, stored);
    }

    private async Task<WebhookTestResult> TestAsync(WebhookSubscriptionConfig stored, CancellationToken ct)
    {
        var id = stored.Subscription.Id + "_test_" + Guid.NewGuid().ToString("N")[..8];
        var started = Stopwatch.GetTimestamp();
        var attempt = await sender.SendAsync(stored.Subscription.Url, id, WebhookPayload.Test(stored.Subscription.Id, time.GetUtcNow()), WebhookWorker.KeysOf(stored, time.GetUtcNow()), ct);
        return new WebhookTestResult
        {
            Success = attempt.Success,
            HttpStatus = attempt.HttpStatus,
            Error = attempt.Error,
            Duration = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started)),
        };
    }

    private WebhookSubscription View(GateEngine engine, string tenant, WebhookSubscriptionConfig stored)
    {
        var view = stored.Subscription.Clone();
        view.Secret = "";
        view.Status = Dispatcher?.StatusOf(tenant, view.Id);
        if (view.Status is { } status)
        {
            status.CommittedSequence = engine.Log.LastSequence;
        }

        return view;
    }

    private static WebhookSubscriptionConfig Stored(GateEngine engine, string tenant, string id) =>
        id.Length != 0 && engine.Config.TryGetWebhookSubscription(tenant, id, out var stored)
            ? stored
            : throw AdminErrors.NotFound(id.Length == 0 ? "id: required." : $"No webhook subscription '{id}'.");

    private static void CopyFields(WebhookSubscription from, WebhookSubscription to, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            switch (path)
            {
                case "url":
                    to.Url = from.Url.Trim();
                    break;
                case "event_types":
                    var types = new SortedSet<WebhookEventType>(from.EventTypes);
                    to.EventTypes.Clear();
                    to.EventTypes.AddRange(types);
                    break;
                case "description":
                    to.Description = from.Description;
                    break;
                case "paused":
                    to.Paused = from.Paused;
                    break;
                case "max_batch_size":
                    to.MaxBatchSize = from.MaxBatchSize == 0 ? 1 : from.MaxBatchSize;
                    break;
                default:
                    break;
            }
        }
    }

    private void Check(WebhookSubscription subscription)
    {
        if (WebhookUrls.Problem(subscription.Url, options) is { } problem)
        {
            throw AdminErrors.InvalidArgument("subscription." + problem);
        }

        if (subscription.EventTypes.Count == 0)
        {
            throw AdminErrors.InvalidArgument("subscription.event_types: at least one event type.");
        }

        foreach (var type in subscription.EventTypes)
        {
            if (type is <= WebhookEventType.Unspecified or > WebhookEventType.OtherChange)
            {
                throw AdminErrors.InvalidArgument($"subscription.event_types: {type} is not an event type.");
            }
        }

        if (subscription.Description.Length > MaxDescription)
        {
            throw AdminErrors.InvalidArgument($"subscription.description: at most {MaxDescription} characters.");
        }

        if (subscription.MaxBatchSize is < 1 or > MaxBatchSize)
        {
            throw AdminErrors.InvalidArgument($"subscription.max_batch_size: 0-{MaxBatchSize}.");
        }
    }

    private static void CheckSecret(string secret, string field)
    {
        if (!WebhookSignature.TryDecodeSecret(secret, out _, out var problem))
        {
            throw AdminErrors.InvalidArgument($"{field}: {problem}.");
        }
    }

    private static async Task<ulong> WriteAsync(GateEngine engine, CallIdentity identity, WebhookSubscriptionConfig config, bool delete, bool mustExist, CancellationToken ct)
    {
        WriteResult result;
        try
        {
            result = await engine.Writes.WriteAsync(
                new ConfigWriteRequest
                {
                    TenantId = identity.TenantId,
                    ActorKeyId = identity.KeyId,
                    Change = new ConfigChange { WebhookSubscription = config },
                    Delete = delete,
                    MustExist = mustExist,
                },
                ct);
        }
        catch (Exception e) when (e is not OperationCanceledException and not RpcException)
        {
            throw StatusMapping.ForWriteFailure(e);
        }

        return result.Items[0].Outcome == WriteOutcome.Written
            ? result.Sequence
            : throw AdminErrors.NotFound($"No webhook subscription '{config.Subscription.Id}' (deleted meanwhile).");
    }
}
