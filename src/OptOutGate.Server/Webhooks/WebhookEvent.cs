using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Webhooks;

/// <summary>One history record a subscription receives, with the event types it matched (WebhookEvents' bit set).</summary>
internal readonly record struct WebhookEvent(ChangeRecord Record, int EventTypes);
