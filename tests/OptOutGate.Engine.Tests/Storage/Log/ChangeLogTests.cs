using System.Collections.Concurrent;

namespace OptOutGate.Engine.Tests.Storage.Log;

public sealed class ChangeLogTests : IDisposable
{
    private readonly ChangeLogFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task NewLog_IsEmpty()
    {
        await using var log = await _fixture.OpenAsync();

        Assert.Equal(0UL, log.LastSequence);
        Assert.Equal(1UL, log.FirstSequence);
        Assert.Null(await log.ReadAsync(1, CancellationToken.None));
        Assert.Empty(await ChangeLogFixture.ReadAllAsync(log));
    }

    [Fact]
    public async Task Append_AssignsConsecutiveSequences_AndRecordsReadBackEqual()
    {
        await using var log = await _fixture.OpenAsync();
        var batch = new[] { ChangeLogFixture.Entry("+14155550100", "a"), ChangeLogFixture.Entry("+14155550101", "b") };

        var last = await log.AppendAsync(batch, null, CancellationToken.None);
        var single = await log.AppendAsync([ChangeLogFixture.Entry("+14155550102", "c")], null, CancellationToken.None);

        Assert.Equal(2UL, last);
        Assert.Equal(3UL, single);
        Assert.Equal(3UL, log.LastSequence);
        Assert.Equal(1UL, batch[0].Record.Sequence);
        Assert.Equal(2UL, batch[1].Record.Sequence);
        var all = await ChangeLogFixture.ReadAllAsync(log);
        Assert.Equal(["a", "b", "c"], all.Select(e => e.Record.Reason));
        Assert.Equal(batch[1], all[1]);
        Assert.Equal(batch[0], await log.ReadAsync(1, CancellationToken.None));
        Assert.Null(await log.ReadAsync(4, CancellationToken.None));
    }

    [Fact]
    public async Task ReadRange_ReturnsOnlyTheAskedSequences()
    {
        await using var log = await _fixture.OpenAsync();
        for (var i = 1; i <= 10; i++)
        {
            await log.AppendAsync([ChangeLogFixture.Entry("+14155550100", i.ToString())], null, CancellationToken.None);
        }

        Assert.Equal(["4", "5", "6"], (await ChangeLogFixture.ReadAllAsync(log, 4, 6)).Select(e => e.Record.Reason));
        Assert.Equal(["9", "10"], (await ChangeLogFixture.ReadAllAsync(log, 9, 99)).Select(e => e.Record.Reason));
        Assert.Equal(10, (await ChangeLogFixture.ReadAllAsync(log, 0, ulong.MaxValue)).Count);
        Assert.Empty(await ChangeLogFixture.ReadAllAsync(log, 11, ulong.MaxValue));
        Assert.Empty(await ChangeLogFixture.ReadAllAsync(log, 6, 5));
    }

    [Fact]
    public async Task BeforeWrite_SeesTheAssignedSequence_AndItsChangesAreStored()
    {
        await using var log = await _fixture.OpenAsync();
        await log.AppendAsync([ChangeLogFixture.Entry("+14155550100")], null, CancellationToken.None);

        await log.AppendAsync(
            [ChangeLogFixture.Entry("+14155550100"), ChangeLogFixture.Entry("+14155550100")],
            entry => entry.PreviousForRecipient = entry.Record.Sequence - 1,
            CancellationToken.None);

        var all = await ChangeLogFixture.ReadAllAsync(log);
        Assert.Equal([0UL, 1UL, 2UL], all.Select(e => e.PreviousForRecipient));
    }

    [Fact]
    public async Task FailedAppend_UsesNoSequence()
    {
        await using var log = await _fixture.OpenAsync();
        await log.AppendAsync([ChangeLogFixture.Entry("+14155550100", "1")], null, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => log.AppendAsync(
            [ChangeLogFixture.Entry("+14155550100", "x"), ChangeLogFixture.Entry("+14155550100", "y")],
            entry => { if (entry.Record.Reason == "y") throw new InvalidOperationException("caller failed"); },
            CancellationToken.None));
        var huge = ChangeLogFixture.Entry("+14155550100", new string('z', _fixture.Options.MaxEntryBytes));
        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync([huge], null, CancellationToken.None));

        Assert.Equal(2UL, await log.AppendAsync([ChangeLogFixture.Entry("+14155550100", "2")], null, CancellationToken.None));
        Assert.Equal(["1", "2"], (await ChangeLogFixture.ReadAllAsync(log)).Select(e => e.Record.Reason));
    }

    [Fact]
    public async Task EntryIsReadable_AsSoonAsAppendReturns()
    {
        await using var log = await _fixture.OpenAsync();
        for (var i = 0; i < 200; i++)
        {
            var sequence = await log.AppendAsync([ChangeLogFixture.Entry("+14155550100", i.ToString())], null, CancellationToken.None);

            Assert.True(log.LastSequence >= sequence);
            var read = await log.ReadAsync(sequence, CancellationToken.None);
            Assert.Equal(i.ToString(), read?.Record.Reason);
        }
    }

    [Fact]
    public async Task ConcurrentAppenders_GetGapFreeSequences_ThatSurviveReopen()
    {
        const int Writers = 20;
        const int AppendsEach = 500;
        var bySequence = new ConcurrentDictionary<ulong, string>();
        await using (var log = await _fixture.OpenAsync())
        {
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                ulong previous = 0;
                for (var i = 0; i < AppendsEach; i++)
                {
                    var reason = $"{w}-{i}";
                    var sequence = await log.AppendAsync([ChangeLogFixture.Entry("+14155550100", reason)], null, CancellationToken.None);
                    Assert.True(sequence > previous);
                    previous = sequence;
                    Assert.True(bySequence.TryAdd(sequence, reason));
                }
            }));
            await Task.WhenAll(writers);
            Assert.Equal((ulong)(Writers * AppendsEach), log.LastSequence);
        }

        Assert.Equal(Enumerable.Range(1, Writers * AppendsEach).Select(i => (ulong)i), bySequence.Keys.Order());
        await using var reopened = await _fixture.OpenAsync();
        Assert.Equal((ulong)(Writers * AppendsEach), reopened.LastSequence);
        var all = await ChangeLogFixture.ReadAllAsync(reopened);
        Assert.Equal(Writers * AppendsEach, all.Count);
        for (var i = 0; i < all.Count; i++)
        {
            Assert.Equal((ulong)(i + 1), all[i].Record.Sequence);
            Assert.Equal(bySequence[(ulong)(i + 1)], all[i].Record.Reason);
        }

        Assert.Equal((ulong)(Writers * AppendsEach) + 1, await reopened.AppendAsync([ChangeLogFixture.Entry("+14155550100")], null, CancellationToken.None));
    }

    [Fact]
    public async Task ConcurrentAppenders_ShareCommits()
    {
        using var recorder = new LogMeasurements();
        await using var log = await _fixture.OpenAsync();

        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await log.AppendAsync([ChangeLogFixture.Entry("+14155550100")], null, CancellationToken.None);
            }
        })));

        Assert.Equal(2000UL, log.LastSequence);
        Assert.InRange(recorder.Sum(log, "optoutgate_log_commits"), 1, 1000);
    }

    [Fact]
    public async Task Reopen_AfterDispose_SeesEverything_AndContinuesTheSequence()
    {
        await using (var log = await _fixture.OpenAsync())
        {
            for (var i = 1; i <= 50; i++)
            {
                await log.AppendAsync([ChangeLogFixture.Entry("+14155550100", i.ToString())], null, CancellationToken.None);
            }
        }

        await using (var log = await _fixture.OpenAsync())
        {
            Assert.Equal(50UL, log.LastSequence);
            Assert.Equal(51UL, await log.AppendAsync([ChangeLogFixture.Entry("+14155550100", "51")], null, CancellationToken.None));
        }

        await using var again = await _fixture.OpenAsync();
        Assert.Equal(Enumerable.Range(1, 51).Select(i => i.ToString()), (await ChangeLogFixture.ReadAllAsync(again)).Select(e => e.Record.Reason));
    }

    [Fact]
    public async Task ReceiveTimes_NeverDecrease_EvenWhenTheClockGoesBack()
    {
        var start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var clock = new ManualTimeProvider(start);
        await using (var log = await _fixture.OpenAsync(clock))
        {
            await log.AppendAsync([ChangeLogFixture.Entry("+14155550100")], null, CancellationToken.None);
            clock.Set(start.AddSeconds(-30));
            await log.AppendAsync([ChangeLogFixture.Entry("+14155550100"), ChangeLogFixture.Entry("+14155550100")], null, CancellationToken.None);
            clock.Set(start.AddSeconds(5));
            await log.AppendAsync([ChangeLogFixture.Entry("+14155550100")], null, CancellationToken.None);
            clock.Set(start.AddSeconds(1));
        }

        // The floor survives a restart: it is the last record's receive time.
        await using (var log = await _fixture.OpenAsync(clock))
        {
            await log.AppendAsync([ChangeLogFixture.Entry("+14155550100")], null, CancellationToken.None);
            var times = (await ChangeLogFixture.ReadAllAsync(log)).Select(e => e.Record.ReceiveTime.ToDateTimeOffset()).ToList();
            Assert.Equal([start, start, start, start.AddSeconds(5), start.AddSeconds(5)], times);
        }
    }

    [Fact]
    public async Task WaitForSequence_CompletesWhenTheSequenceIsCommitted()
    {
        await using var log = await _fixture.OpenAsync();
        var wait = log.WaitForSequenceAsync(3, CancellationToken.None);
        Assert.True(log.WaitForSequenceAsync(0, CancellationToken.None).IsCompletedSuccessfully);

        await log.AppendAsync([ChangeLogFixture.Entry("+14155550100"), ChangeLogFixture.Entry("+14155550100")], null, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        await log.AppendAsync([ChangeLogFixture.Entry("+14155550100")], null, CancellationToken.None);

        await wait.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(log.WaitForSequenceAsync(3, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitForSequence_IsCancellable_AndFailsOnDispose()
    {
        var log = await _fixture.OpenAsync();
        using var cts = new CancellationTokenSource();
        var cancelled = log.WaitForSequenceAsync(1, cts.Token);
        var pending = log.WaitForSequenceAsync(1, CancellationToken.None);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await log.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => log.AppendAsync([ChangeLogFixture.Entry("+14155550100")], null, CancellationToken.None));
    }

    [Fact]
    public async Task Metrics_CountAppendedRecords_AndCommitDurations()
    {
        using var recorder = new LogMeasurements();
        await using var log = await _fixture.OpenAsync();

        await log.AppendAsync([ChangeLogFixture.Entry("+14155550100"), ChangeLogFixture.Entry("+14155550101")], null, CancellationToken.None);

        Assert.Equal(2, recorder.Sum(log, "optoutgate_log_appended_records"));
        var durations = recorder.Values(log, "optoutgate_log_commit_duration");
        Assert.NotEmpty(durations);
        Assert.All(durations, d => Assert.InRange(d, 0, 10));
        Assert.True(log.SizeBytes > 200);
    }
}
