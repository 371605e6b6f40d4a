using OptOutGate.Engine.Storage.State;

namespace OptOutGate.Engine.Tests.Storage.State;

public sealed class SingleWriterMapTests
{
    [Fact]
    public void SetGetRemove_BehaveAsADictionary_ThroughGrowthAndTombstones()
    {
        var map = new SingleWriterMap<RecipientHeadKey, ulong>();
        var reference = new Dictionary<RecipientHeadKey, ulong>();
        var random = new Random(7);
        for (var i = 0; i < 200_000; i++)
        {
            var key = new RecipientHeadKey((uint)random.Next(3), 14_155_550_000UL + (ulong)random.Next(50_000));
            if (random.Next(4) == 0)
            {
                Assert.Equal(reference.Remove(key), map.Remove(key));
            }
            else
            {
                map.Set(key, (ulong)i);
                reference[key] = (ulong)i;
            }
        }

        Assert.Equal(reference.Count, map.Count);
        foreach (var (key, value) in reference)
        {
            Assert.True(map.TryGetValue(key, out var found));
            Assert.Equal(value, found);
        }

        Assert.Equal(reference.OrderBy(static p => p.Key.Recipient).ThenBy(static p => p.Key.TenantId), map.Entries().OrderBy(static p => p.Key.Recipient).ThenBy(static p => p.Key.TenantId));
        Assert.False(map.TryGetValue(new RecipientHeadKey(9, 1), out _));
    }

    [Fact]
    public void RemovingMostEntries_ShrinksTheArray_AndKeepsTheRest()
    {
        var map = new SingleWriterMap<RecipientHeadKey, ulong>();
        for (ulong i = 0; i < 100_000; i++)
        {
            map.Set(new RecipientHeadKey(1, i), i);
        }

        var full = map.SizeInBytes;
        for (ulong i = 0; i < 99_000; i++)
        {
            Assert.True(map.Remove(new RecipientHeadKey(1, i)));
        }

        Assert.Equal(1_000, map.Count);
        Assert.True(map.SizeInBytes < full / 8, $"{map.SizeInBytes} of {full} bytes after removing 99%");
        for (ulong i = 99_000; i < 100_000; i++)
        {
            Assert.True(map.TryGetValue(new RecipientHeadKey(1, i), out var value));
            Assert.Equal(i, value);
        }
    }

    [Fact]
    public async Task ConcurrentReaders_NeverSeeATornValueOrLoseAnEntry()
    {
        // Values are (key, key) pairs as one 16-byte struct: a torn read would show halves that disagree.
        var map = new SingleWriterMap<ConfirmationKey, ConfirmationWindowState>();
        const int Keys = 50_000;
        for (var i = 0; i < Keys; i++)
        {
            map.Set(Key(i), Window(i, 0));
        }

        using var stop = new CancellationTokenSource();
        using var reading = new CountdownEvent(2);
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            long reads = 0;
            reading.Signal();
            while (!stop.IsCancellationRequested)
            {
                var i = random.Next(Keys);
                Assert.True(map.TryGetValue(Key(i), out var window), $"key {i} lost");
                Assert.Equal(window.ExpireTime.Ticks, (long)window.OpenedBySequence);
                Assert.Equal((ulong)i, window.OpenedBySequence % 1_000_000);
                reads++;
            }

            return reads;
        })).ToArray();

        // The writer rewrites every value, adds and removes others (forcing rebuilds) while the readers run.
        Assert.True(reading.Wait(TimeSpan.FromSeconds(30)), "readers did not start");
        for (var round = 1; round <= 20; round++)
        {
            for (var i = 0; i < Keys; i++)
            {
                map.Set(Key(i), Window(i, round));
            }

            for (var i = Keys; i < Keys * 3; i++)
            {
                map.Set(Key(i), Window(i, round));
            }

            for (var i = Keys; i < Keys * 3; i++)
            {
                map.Remove(Key(i));
            }
        }

        await stop.CancelAsync();
        var total = (await Task.WhenAll(readers)).Sum();
        Assert.True(total > 0);
        Assert.Equal(Keys, map.Count);

        static ConfirmationKey Key(int i) => new(14_155_550_000UL + (ulong)i, 2, 1);

        static ConfirmationWindowState Window(int i, int round)
        {
            var sequence = ((ulong)round * 1_000_000) + (ulong)i;
            return new ConfirmationWindowState(new DateTime((long)sequence, DateTimeKind.Utc), false, sequence);
        }
    }
}
