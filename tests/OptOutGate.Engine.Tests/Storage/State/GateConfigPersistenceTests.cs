using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Tests.Infrastructure;

namespace OptOutGate.Engine.Tests.Storage.State;

public sealed class GateConfigPersistenceTests : IDisposable
{
    private static readonly DateTime Start = new(2026, 1, 5, 12, 0, 0, DateTimeKind.Utc);
    private readonly EngineTestDirectory _dir = new();

    [Fact]
    public void SaveThenLoad_KeepsEveryWindow_AndPrunesLikeTheOriginal()
    {
        var config = new GateConfig();
        for (var i = 0; i < 5_000; i++)
        {
            config.OpenConfirmationWindow(Key(i % 3_000), Start.AddSeconds(i), (ulong)i + 1);
        }

        for (var i = 0; i < 3_000; i += 5)
        {
            Assert.True(config.UseConfirmationWindow(Key(i)));
        }

        config.PruneExpiredWindows(Start.AddSeconds(2_500));
        var path = Path.Combine(_dir.Path, "config.bin");
        config.Save(path);
        var loaded = GateConfig.Load(path);

        Assert.Equal(Windows(config), Windows(loaded));
        config.PruneExpiredWindows(Start.AddSeconds(4_200));
        loaded.PruneExpiredWindows(Start.AddSeconds(4_200));
        Assert.Equal(Windows(config), Windows(loaded));
        Assert.Equal(config.ConfirmationWindowCount, loaded.ConfirmationWindowCount);
        Assert.InRange(loaded.ConfirmationWindowCount, 1, 1_000);
    }

    [Fact]
    public void WebhookProgress_IsKeptAcrossTheSubscriptionsOwnChanges_AndInACheckpoint()
    {
        var config = new GateConfig();
        var time = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(Start);
        var subscription = new OptOutGate.Contracts.V1.WebhookSubscriptionConfig { Subscription = new OptOutGate.Contracts.V1.WebhookSubscription { Id = "wh_a", Url = "https://a.example/hook" }, Secret = "whsec_x" };
        config.PutWebhookSubscription("acme", subscription, time, 10);
        config.SetWebhookProgress("acme", new OptOutGate.Contracts.V1.WebhookProgress { SubscriptionId = "wh_a", DeliveredSequence = 42 });
        config.SetWebhookProgress("acme", new OptOutGate.Contracts.V1.WebhookProgress { SubscriptionId = "wh_gone", DeliveredSequence = 9 });

        // An Admin change carries the progress it read (here none): the recorded progress stays.
        var changed = subscription.Clone();
        changed.Subscription.Url = "https://b.example/hook";
        changed.Subscription.StartSequence = 11;
        config.PutWebhookSubscription("acme", changed, time, 50);
        Assert.True(config.TryGetWebhookSubscription("acme", "wh_a", out var stored));
        Assert.Equal((42UL, "https://b.example/hook"), (stored.DeliveredSequence, stored.Subscription.Url));
        Assert.False(config.TryGetWebhookSubscription("acme", "wh_gone", out _));

        var path = Path.Combine(_dir.Path, "config.bin");
        config.Save(path);
        Assert.True(GateConfig.Load(path).TryGetWebhookSubscription("acme", "wh_a", out var loaded));
        Assert.Equal(42UL, loaded.DeliveredSequence);
    }

    [Fact]
    public void Load_OfWindowsSavedInAnotherOrder_QueuesThemInOpeningOrder()
    {
        // Files of earlier builds list windows in map order; pruning must still go by opening order.
        var path = Path.Combine(_dir.Path, "config.bin");
        StateFile.Write(path, 0x43464731, writer =>
        {
            writer.Write(0);
            writer.Write(0);
            writer.Write(0);
            writer.Write(100);
            for (var i = 99; i >= 0; i--)
            {
                var key = Key(i);
                writer.Write(key.Recipient);
                writer.Write(key.SenderScopeId);
                writer.Write(key.TenantId);
                writer.Write(Start.AddSeconds(i).Ticks);
                writer.Write(false);
                writer.Write((ulong)i + 1);
            }
        });

        var loaded = GateConfig.Load(path);
        loaded.PruneExpiredWindows(Start.AddSeconds(49.5));

        Assert.Equal(50, loaded.ConfirmationWindowCount);
        Assert.False(loaded.TryGetConfirmationWindow(1, 2, Key(49).Recipient, out _));
        Assert.True(loaded.TryGetConfirmationWindow(1, 2, Key(50).Recipient, out var window));
        Assert.Equal(51UL, window.OpenedBySequence);
    }

    public void Dispose() => _dir.Dispose();

    private static ConfirmationKey Key(int i) => new(14_155_550_000UL + (ulong)i, 2, 1);

    private static List<(ConfirmationKey, ConfirmationWindowState)> Windows(GateConfig config) =>
        [.. config.ConfirmationWindows.Select(static p => (p.Key, p.Value)).OrderBy(static w => w.Key.Recipient)];
}
