namespace OptOutGate.Server.Webhooks;

internal static partial class WebhookLog
{
    [LoggerMessage(EventIds.Webhooks + 1, LogLevel.Information, "Webhook subscription {SubscriptionId} of tenant {Tenant}: delivering from sequence {Sequence}", EventName = "WorkerStarted")]
    public static partial void WorkerStarted(ILogger logger, string subscriptionId, string tenant, ulong sequence);

    [LoggerMessage(EventIds.Webhooks + 2, LogLevel.Warning, "Webhook subscription {SubscriptionId}: delivery of sequences {First}-{Last} failed (attempt {Attempt}: {Error}); retrying in {DelayMs} ms", EventName = "Retrying")]
    public static partial void Retrying(ILogger logger, string subscriptionId, ulong first, ulong last, int attempt, string error, long delayMs);

    [LoggerMessage(EventIds.Webhooks + 3, LogLevel.Error, "Webhook subscription {SubscriptionId} of tenant {Tenant} is FAILING: sequences {First}-{Last} not accepted for {Age} (Webhooks:MaxRetryAge); nothing more is sent until it is replayed (Admin.ReplayWebhookSubscription)", EventName = "Failing")]
    public static partial void Failing(ILogger logger, string subscriptionId, string tenant, ulong first, ulong last, TimeSpan age);

    [LoggerMessage(EventIds.Webhooks + 4, LogLevel.Information, "Webhook subscription {SubscriptionId}: the receiver accepts deliveries again after {Failures} failed attempts", EventName = "Recovered")]
    public static partial void Recovered(ILogger logger, string subscriptionId, int failures);

    [LoggerMessage(EventIds.Webhooks + 5, LogLevel.Information, "Webhook subscription {SubscriptionId}: replay from sequence {Sequence}", EventName = "Replay")]
    public static partial void Replay(ILogger logger, string subscriptionId, ulong sequence);

    [LoggerMessage(EventIds.Webhooks + 6, LogLevel.Error, "Webhook subscription {SubscriptionId}: the delivery worker stopped on an unexpected error; it restarts from its durable cursor", EventName = "WorkerFailed")]
    public static partial void WorkerFailed(ILogger logger, string subscriptionId, Exception exception);

    [LoggerMessage(EventIds.Webhooks + 7, LogLevel.Information, "Webhook deliveries run on this primary: {Subscriptions} subscriptions", EventName = "DispatcherStarted")]
    public static partial void DispatcherStarted(ILogger logger, int subscriptions);
}
