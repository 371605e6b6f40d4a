using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// Writes each subscription's delivery progress into the change log (a WebhookProgress configuration record) every
/// <see cref="WebhookOptions.ProgressInterval"/> while its cursor moves. The cursors themselves are node-local files;
/// these records reach the replicas (change stream, snapshots, checkpoints), so a replica promoted to primary starts each
/// subscription after the last recorded progress, at most one interval of events behind the old primary, instead of from
/// the subscription's creation. One small record per moving subscription and interval: nothing on the check path, and
/// a replica applies it as any configuration record.
/// </summary>
internal sealed class WebhookProgressRecorder(GateEngine engine, WebhookOptions options, TimeProvider time)
{
    /// <summary>The actor of the progress records: not a key id (':' is not allowed in one).</summary>
    public const string Actor = "gate:webhooks";

    public async Task RunAsync(Func<IReadOnlyList<(string Tenant, string Id, ulong Delivered)>> delivered, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.ProgressInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                foreach (var (tenant, id, sequence) in delivered())
                {
                    if (engine.Config.TryGetWebhookSubscription(tenant, id, out var stored) && stored.DeliveredSequence != sequence
                        && sequence >= stored.Subscription.StartSequence)
                    {
                        await RecordAsync(tenant, id, sequence, ct);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Writes one progress record; returns once it is durable and applied. A write the log refuses is tried again next interval.</summary>
    private async Task RecordAsync(string tenant, string id, ulong sequence, CancellationToken ct)
    {
        try
        {
            await engine.Writes.WriteAsync(
                new ConfigWriteRequest
                {
                    TenantId = tenant,
                    ActorKeyId = Actor,
                    Reason = "webhook delivery progress",
                    Change = new ConfigChange { WebhookProgress = new WebhookProgress { SubscriptionId = id, DeliveredSequence = sequence } },
                },
                ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A faulted log stops the process anyway (GateEngineHost); anything else waits for the next tick.
        }
    }
}
