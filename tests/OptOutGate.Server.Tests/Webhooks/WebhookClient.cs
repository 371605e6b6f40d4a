using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Tests.Webhooks;

/// <summary>The webhook Admin RPCs and the calls that make events, through the generated clients (optionally with an API key).</summary>
public sealed class WebhookClient(GrpcChannel channel, string? adminKey = null)
{
    public AdminRpcClient Admin { get; } = new(channel);

    public CallOptions Options() =>
        adminKey is null
            ? new CallOptions(deadline: DateTime.UtcNow.AddSeconds(60))
            : new CallOptions(new Metadata { { "authorization", "Bearer " + adminKey } }, DateTime.UtcNow.AddSeconds(60));

    public async Task<CreateWebhookSubscriptionResponse> CreateAsync(string url, string? secret = null, int maxBatchSize = 0, bool paused = false, params WebhookEventType[] types)
    {
        var subscription = new WebhookSubscription { Url = url, MaxBatchSize = maxBatchSize, Paused = paused, Secret = secret ?? "" };
        subscription.EventTypes.AddRange(types.Length == 0 ? AllTypes : types);
        return await Admin.CreateWebhookSubscriptionAsync(new CreateWebhookSubscriptionRequest { Subscription = subscription }, Options());
    }

    public static WebhookEventType[] AllTypes =>
    [
        WebhookEventType.OptOut, WebhookEventType.OptIn, WebhookEventType.MoReply, WebhookEventType.ReviewItem,
        WebhookEventType.RemovalRequest, WebhookEventType.ProviderError, WebhookEventType.OtherChange,
    ];

    public async Task<WebhookSubscription> GetAsync(string id) =>
        await Admin.GetWebhookSubscriptionAsync(new GetWebhookSubscriptionRequest { Id = id }, Options());

    public async Task<WebhookSubscription> SetPausedAsync(string id, bool paused) =>
        await Admin.UpdateWebhookSubscriptionAsync(
            new UpdateWebhookSubscriptionRequest { Subscription = new WebhookSubscription { Id = id, Paused = paused }, UpdateMask = new FieldMask { Paths = { "paused" } } },
            Options());

    public async Task<WebhookSubscription> RotateAsync(string id, string newSecret, TimeSpan overlap) =>
        await Admin.UpdateWebhookSubscriptionAsync(
            new UpdateWebhookSubscriptionRequest
            {
                Subscription = new WebhookSubscription { Id = id },
                UpdateMask = new FieldMask { Paths = { "description" } },
                RotateSecret = true,
                NewSecret = newSecret,
                PreviousSecretOverlap = Duration.FromTimeSpan(overlap),
            },
            Options());

    public async Task<WebhookSubscription> ReplayAsync(string id, ulong from) =>
        await Admin.ReplayWebhookSubscriptionAsync(new ReplayWebhookSubscriptionRequest { Id = id, FromSequence = from }, Options());

    /// <summary>Opts out recipients at an address (one event each); the sequence of the last.</summary>
    public async Task<ulong> OptOutAsync(string sender, params string[] recipients)
    {
        var response = await Admin.AddOptOutsAsync(new AddOptOutsRequest { Sender = sender, Recipients = { recipients } }, Options());
        return response.Sequence;
    }

    /// <summary>Waits until the subscription's status satisfies <paramref name="condition"/>.</summary>
    public async Task<WebhookSubscription> WaitForStatusAsync(string id, Func<WebhookDeliveryStatus, bool> condition, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (true)
        {
            var subscription = await GetAsync(id);
            if (subscription.Status is { } status && condition(status))
            {
                return subscription;
            }

            try
            {
                await timer.WaitForNextTickAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for the subscription's status; last: {subscription.Status}");
            }
        }
    }

    /// <summary>A fresh Standard Webhooks secret.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
