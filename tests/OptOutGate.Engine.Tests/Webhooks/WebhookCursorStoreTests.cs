using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Webhooks;

namespace OptOutGate.Engine.Tests.Webhooks;

public sealed class WebhookCursorStoreTests : IDisposable
{
    private readonly EngineTestDirectory _dir = new();

    [Fact]
    public void Cursor_WrittenThenReopened_ReadsTheLastWrite()
    {
        using (var store = new WebhookCursorStore(_dir.Path))
        {
            Assert.False(store.TryRead("wh_a", out _));
            for (ulong i = 1; i <= 7; i++)
            {
                store.Write("wh_a", new WebhookCursor(i * 10, 0));
            }

            store.Write("wh_b", new WebhookCursor(5, 638_000_000_000_000_000));
        }

        using var reopened = new WebhookCursorStore(_dir.Path);
        Assert.True(reopened.TryRead("wh_a", out var a));
        Assert.Equal(new WebhookCursor(70, 0), a);
        Assert.True(reopened.TryRead("wh_b", out var b));
        Assert.True(b.Failing);
        Assert.Equal(["wh_a", "wh_b"], reopened.StoredIds().Order());
    }

    [Fact]
    public void TornLastWrite_FallsBackToTheWriteBefore_NeverPastIt()
    {
        using (var store = new WebhookCursorStore(_dir.Path))
        {
            store.Write("wh_a", new WebhookCursor(10, 0));
            store.Write("wh_a", new WebhookCursor(20, 0));
        }

        // The second write went to slot 0 (version 2): tear it as a crash mid-write would.
        var path = Path.Combine(_dir.Path, DataLayout.Webhooks, "wh_a.cursor");
        using (var file = File.OpenWrite(path))
        {
            file.Position = 14;
            file.Write([0xFF, 0xFF]);
        }

        using (var reopened = new WebhookCursorStore(_dir.Path))
        {
            Assert.True(reopened.TryRead("wh_a", out var cursor));
            Assert.Equal(10ul, cursor.DeliveredSequence);

            // And it writes on from there into the torn slot.
            reopened.Write("wh_a", new WebhookCursor(30, 0));
        }

        using var again = new WebhookCursorStore(_dir.Path);
        Assert.True(again.TryRead("wh_a", out var after));
        Assert.Equal(30ul, after.DeliveredSequence);
    }

    [Fact]
    public void BothSlotsDamaged_IsReported_NotReadAsTheStart()
    {
        using (var store = new WebhookCursorStore(_dir.Path))
        {
            store.Write("wh_a", new WebhookCursor(10, 0));
            store.Write("wh_a", new WebhookCursor(20, 0));
        }

        File.WriteAllBytes(Path.Combine(_dir.Path, DataLayout.Webhooks, "wh_a.cursor"), new byte[64]);
        using var reopened = new WebhookCursorStore(_dir.Path);
        Assert.Throws<InvalidDataException>(() => reopened.TryRead("wh_a", out _));
    }

    [Fact]
    public void IdsThatCouldLeaveTheFolder_AreRefused()
    {
        using var store = new WebhookCursorStore(_dir.Path);
        Assert.Throws<ArgumentException>(() => store.Write("../x", new WebhookCursor(1, 0)));
    }

    public void Dispose() => _dir.Dispose();
}
