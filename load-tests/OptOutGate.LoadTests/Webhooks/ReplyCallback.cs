using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Gate;

namespace OptOutGate.LoadTests.Webhooks;

/// <summary>
/// A webhook subscription of the load test's tenant to a <see cref="ReceiverHost"/>, made for one run and deleted after
/// it (so the next run on the same gate measures without it).
/// </summary>
internal sealed class ReplyCallback : IAsyncDisposable
{
    private readonly GateClients _gate;
    private readonly string _id;

    private ReplyCallback(GateClients gate, ReceiverHost receiver, string id)
    {
        _gate = gate;
        Receiver = receiver;
        _id = id;
    }

    public ReceiverHost Receiver { get; }

    public static async Task<ReplyCallback> StartAsync(GateClients gate, WebhookEventType[] types, int maxBatchSize, CancellationToken ct, bool paused = false)
    {
        var receiver = await ReceiverHost.StartAsync();
        try
        {
            var subscription = new WebhookSubscription { Url = receiver.Url, Description = "load test", MaxBatchSize = maxBatchSize, Paused = paused };
            subscription.EventTypes.AddRange(types);
            var created = await gate.For(0).Admin.CreateWebhookSubscriptionAsync(new CreateWebhookSubscriptionRequest { Subscription = subscription }, gate.Call(ct));
            if (!created.TestResult.Success)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "the webhook test delivery failed: " + created.TestResult.Error));
            }

            receiver.UseSecret(created.Subscription.Secret);
            return new ReplyCallback(gate, receiver, created.Subscription.Id);
        }
        catch
        {
            await receiver.DisposeAsync();
            throw;
        }
    }

    /// <summary>The subscription's delivery status now.</summary>
    public async Task<WebhookDeliveryStatus?> StatusAsync(CancellationToken ct) =>
        (await _gate.For(0).Admin.GetWebhookSubscriptionAsync(new GetWebhookSubscriptionRequest { Id = _id }, _gate.Call(ct))).Status;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _gate.For(0).Admin.DeleteWebhookSubscriptionAsync(new DeleteWebhookSubscriptionRequest { Id = _id }, _gate.Call(CancellationToken.None));
        }
        finally
        {
            await Receiver.DisposeAsync();
        }
    }
}
