using Grpc.Core;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Admin;

/// <summary>Webhook subscriptions: the handlers live with the deliveries, in the Webhooks folder (<see cref="Webhooks.WebhookSubscriptions"/>).</summary>
internal sealed partial class AdminService
{
    public override Task<CreateWebhookSubscriptionResponse> CreateWebhookSubscription(CreateWebhookSubscriptionRequest request, ServerCallContext context) =>
        webhooks.CreateAsync(request, context);

    public override Task<WebhookSubscription> GetWebhookSubscription(GetWebhookSubscriptionRequest request, ServerCallContext context) =>
        webhooks.GetAsync(request, context);

    public override Task<ListWebhookSubscriptionsResponse> ListWebhookSubscriptions(ListWebhookSubscriptionsRequest request, ServerCallContext context) =>
        webhooks.ListAsync(context);

    public override Task<WebhookSubscription> UpdateWebhookSubscription(UpdateWebhookSubscriptionRequest request, ServerCallContext context) =>
        webhooks.UpdateAsync(request, context);

    public override Task<DeleteWebhookSubscriptionResponse> DeleteWebhookSubscription(DeleteWebhookSubscriptionRequest request, ServerCallContext context) =>
        webhooks.DeleteAsync(request, context);

    public override Task<WebhookSubscription> ReplayWebhookSubscription(ReplayWebhookSubscriptionRequest request, ServerCallContext context) =>
        webhooks.ReplayAsync(request, context);
}
