using OptOutGate.Engine.Storage.State;

namespace OptOutGate.Engine.Tests.Storage.State;

public sealed class SequenceWaitersTests
{
    [Fact]
    public async Task Publish_ReleasesExactlyTheWaitersAtOrBelow()
    {
        var waiters = new SequenceWaiters();
        var tasks = Enumerable.Range(1, 5000).Select(i => waiters.WaitAsync((ulong)i, CancellationToken.None)).ToArray();

        waiters.Publish(2500);
        await Task.WhenAll(tasks[..2500]).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(tasks[2500..], t => Assert.False(t.IsCompleted));
        Assert.True(waiters.WaitAsync(2500, CancellationToken.None).IsCompletedSuccessfully);
        waiters.Publish(5000);
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CancelledWait_Throws_AndOthersStillComplete()
    {
        var waiters = new SequenceWaiters();
        using var cts = new CancellationTokenSource();
        var cancelled = waiters.WaitAsync(10, cts.Token);
        var other = waiters.WaitAsync(10, CancellationToken.None);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        waiters.Publish(10);
        await other.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Fail_FailsPendingAndLaterWaits()
    {
        var waiters = new SequenceWaiters();
        waiters.Publish(3);
        var pending = waiters.WaitAsync(4, CancellationToken.None);

        waiters.Fail(new InvalidOperationException("stopped"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => pending);
        await Assert.ThrowsAsync<InvalidOperationException>(() => waiters.WaitAsync(5, CancellationToken.None));
        Assert.True(waiters.WaitAsync(3, CancellationToken.None).IsCompletedSuccessfully);
    }
}
