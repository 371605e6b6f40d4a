using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Engine.Tests.Storage.Index;

public sealed class EntryIndexTests : IDisposable
{
    private readonly IndexTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Upsert_ThenTryGet_ReturnsTheValue()
    {
        using var index = Create();
        var key = EntryKey.Create(EntryKind.OptOut, 14155550100UL, 7, 3);
        var value = EntryValue.Create(42, 0b1011, 2);

        index.Upsert(key, value);

        Assert.True(index.TryGet(key, out var read));
        Assert.Equal(value, read);
        Assert.Equal(1, index.Count);
        Assert.True(index.MayContainRecipient(14155550100UL));
        Assert.False(index.MayContainRecipient(14155550101UL));
        Assert.False(index.TryGet(EntryKey.Create(EntryKind.OptOut, 14155550101UL, 7, 3), out _));
    }

    [Fact]
    public void UpsertOfAnExistingKey_ReplacesTheValue_AndKeepsTheCount()
    {
        using var index = Create();
        var key = EntryKey.Create(EntryKind.OptOut, 14155550100UL, 7, 3);

        index.Upsert(key, EntryValue.Create(1, 1, 1));
        index.Upsert(key, EntryValue.Create(2, 2, 2));

        Assert.True(index.TryGet(key, out var read));
        Assert.Equal(EntryValue.Create(2, 2, 2), read);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Delete_RemovesTheEntry_AndReportsWhetherOneExisted()
    {
        using var index = Create();
        var key = EntryKey.Create(EntryKind.Suppression, 14155550100UL, 7, 3);
        index.Upsert(key, EntryValue.Create(1, 1, 1));

        Assert.True(index.Delete(key));
        Assert.False(index.TryGet(key, out _));
        Assert.Equal(0, index.Count);
        Assert.False(index.Delete(key));
        Assert.Equal(0, index.Count);

        index.Upsert(key, EntryValue.Create(3, 1, 1));
        Assert.True(index.TryGet(key, out var read));
        Assert.Equal(3UL, read.Sequence);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void KeysDifferingOnlyInKindScopeOrTenant_AreDistinctEntries()
    {
        using var index = Create();
        var keys = new[]
        {
            EntryKey.Create(EntryKind.OptOut, 14155550100UL, 7, 3),
            EntryKey.Create(EntryKind.Suppression, 14155550100UL, 7, 3),
            EntryKey.Create(EntryKind.Bypass, 14155550100UL, 7, 3),
            EntryKey.Create(EntryKind.OptOut, 14155550100UL, 8, 3),
            EntryKey.Create(EntryKind.OptOut, 14155550100UL, 7, 4),
        };
        for (var i = 0; i < keys.Length; i++)
        {
            index.Upsert(keys[i], EntryValue.Create((ulong)i + 1, 1, 1));
        }

        Assert.Equal(keys.Length, index.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.True(index.TryGet(keys[i], out var read));
            Assert.Equal((ulong)i + 1, read.Sequence);
        }

        Assert.True(index.Delete(keys[1]));
        Assert.False(index.TryGet(keys[1], out _));
        Assert.True(index.TryGet(keys[0], out _));
        Assert.True(index.TryGet(keys[2], out _));
        Assert.Equal(keys.Length - 1, index.Count);
    }

    [Fact]
    public void Reader_ReadsABatch_AndGoesBackToThePool()
    {
        using var index = Create();
        for (ulong r = 0; r < 100; r++)
        {
            index.Upsert(EntryKey.Create(EntryKind.OptOut, 12_000_000_000UL + r, 1, 1), EntryValue.Create(r + 1, 1, 1));
        }

        for (var round = 0; round < 3; round++)
        {
            using var reader = index.RentReader();
            var recipients = new ulong[200];
            for (var i = 0; i < recipients.Length; i++)
            {
                recipients[i] = 12_000_000_000UL + (ulong)i;
            }

            var maybe = new bool[recipients.Length];
            reader.MayContainRecipients(recipients, maybe);
            for (var i = 0; i < recipients.Length; i++)
            {
                var found = reader.TryGet(EntryKey.Create(EntryKind.OptOut, recipients[i], 1, 1), out var value);
                Assert.Equal(i < 100, found);
                Assert.True(!found || maybe[i]);
                Assert.Equal(maybe[i], reader.MayContainRecipient(recipients[i]));
                if (found)
                {
                    Assert.Equal((ulong)i + 1, value.Sequence);
                }
            }
        }

        var returned = index.RentReader();
        returned.Dispose();
        Assert.Throws<InvalidOperationException>(returned.Dispose);
    }

    [Fact]
    public void EntriesBeyondTheInMemoryLog_AreAllStillFound()
    {
        // 4 KiB pages and a 16 KiB in-memory log: 8,000 records of 32 bytes (256 KB) are mostly on the device, and each
        // read of one of them is a device read (some 1,000 times the cost of an in-memory one), so the count stays small.
        using var index = Create(tiny: true);
        const int n = 8_000;
        for (var i = 0; i < n; i++)
        {
            index.Upsert(KeyOf(i), EntryValue.Create((ulong)i + 1, 1, 1));
        }

        Assert.True(index.LogBytesInMemory < index.LogBytesTotal / 10, "records must have left memory");
        AssertAllFound(index, n);

        // Updates and deletes of records that are only on the device.
        index.Upsert(KeyOf(0), EntryValue.Create(999_999, 1, 1));
        Assert.True(index.Delete(KeyOf(1)));
        Assert.False(index.Delete(KeyOf(1)));
        Assert.Equal(n - 1, index.Count);
        Assert.True(index.TryGet(KeyOf(0), out var updated));
        Assert.Equal(999_999UL, updated.Sequence);
        Assert.False(index.TryGet(KeyOf(1), out _));
    }

    [Fact]
    public void CheckpointThenRecover_ReturnsExactlyTheSameEntries_AndFilter()
    {
        var expected = new Dictionary<EntryKey, EntryValue>();
        Guid token;
        using (var index = Create())
        {
            for (var i = 0; i < 5000; i++)
            {
                var value = EntryValue.Create((ulong)i + 1, (byte)(i & 0xF), 1);
                index.Upsert(KeyOf(i), value);
                expected[KeyOf(i)] = value;
            }

            for (var i = 0; i < 5000; i += 7)
            {
                index.Delete(KeyOf(i));
                expected.Remove(KeyOf(i));
            }

            for (var i = 1; i < 5000; i += 7)
            {
                var value = EntryValue.Create(100_000 + (ulong)i, 3, 2);
                index.Upsert(KeyOf(i), value);
                expected[KeyOf(i)] = value;
            }

            token = index.TakeCheckpoint();

            // After the checkpoint: must not survive recovery to it.
            index.Upsert(KeyOf(1_000_000), EntryValue.Create(1, 1, 1));
            index.Delete(KeyOf(2));
        }

        using var recovered = EntryIndex.Recover(Options(), token, NullLogger.Instance);

        Assert.Equal(expected.Count, recovered.Count);
        AssertSameEntries(expected, recovered);
        Assert.False(recovered.TryGet(KeyOf(1_000_000), out _));
        for (var i = 0; i < 5000; i++)
        {
            // The filter covers every recipient that ever had an entry, deleted ones included.
            Assert.True(recovered.MayContainRecipient(KeyOf(i).Recipient));
        }

        // The recovered index keeps working, through updates of recovered (read-only) records and a second cycle.
        recovered.Upsert(KeyOf(3), EntryValue.Create(7, 7, 7));
        expected[KeyOf(3)] = EntryValue.Create(7, 7, 7);
        Assert.True(recovered.Delete(KeyOf(4)));
        expected.Remove(KeyOf(4));
        var second = recovered.TakeCheckpoint();
        recovered.Dispose();

        using var again = EntryIndex.Recover(Options(), second, NullLogger.Instance);
        Assert.Equal(expected.Count, again.Count);
        AssertSameEntries(expected, again);
    }

    [Fact]
    public void Recover_WithoutTheSavedFilter_RebuildsItFromAScan()
    {
        Guid token;
        using (var index = Create(tiny: true))
        {
            for (var i = 0; i < 3000; i++)
            {
                index.Upsert(KeyOf(i), EntryValue.Create((ulong)i + 1, 1, 1));
            }

            index.Delete(KeyOf(10));
            token = index.TakeCheckpoint();
        }

        foreach (var file in Directory.GetFiles(Path.Combine(_directory.Path, "checkpoints", "recipient-filter")))
        {
            File.Delete(file);
        }

        using var recovered = EntryIndex.Recover(Options(tiny: true), token, NullLogger.Instance);

        Assert.Equal(2999, recovered.Count);
        Assert.True(recovered.MayContainRecipient(KeyOf(0).Recipient));
        Assert.True(recovered.MayContainRecipient(KeyOf(2999).Recipient));
        Assert.True(recovered.TryGet(KeyOf(2999), out _));
        Assert.False(recovered.TryGet(KeyOf(10), out _));
    }

    [Fact]
    public void PurgeCheckpointsExcept_KeepsOnlyTheNamedOne()
    {
        Guid first;
        Guid second;
        using (var index = Create())
        {
            index.Upsert(KeyOf(1), EntryValue.Create(1, 1, 1));
            first = index.TakeCheckpoint();
            index.Upsert(KeyOf(2), EntryValue.Create(2, 1, 1));
            second = index.TakeCheckpoint();
            index.PurgeCheckpointsExcept(second);
        }

        Assert.ThrowsAny<Exception>(() => EntryIndex.Recover(Options(), first, NullLogger.Instance).Dispose());
        using var recovered = EntryIndex.Recover(Options(), second, NullLogger.Instance);
        Assert.Equal(2, recovered.Count);
        Assert.Single(Directory.GetFiles(Path.Combine(_directory.Path, "checkpoints", "recipient-filter")));
    }

    [Fact]
    public void Scan_ReportsEachLiveEntryOnce()
    {
        using var index = Create(tiny: true);
        for (var i = 0; i < 2000; i++)
        {
            index.Upsert(KeyOf(i), EntryValue.Create(1, 1, 1));
        }

        for (var i = 0; i < 2000; i += 2)
        {
            index.Upsert(KeyOf(i), EntryValue.Create(2, 1, 1));
        }

        for (var i = 0; i < 2000; i += 5)
        {
            index.Delete(KeyOf(i));
        }

        var seen = new Dictionary<EntryKey, EntryValue>();
        foreach (var (key, value) in index.Scan())
        {
            Assert.True(seen.TryAdd(key, value), "a key was reported twice");
        }

        Assert.Equal(index.Count, seen.Count);
        for (var i = 0; i < 2000; i++)
        {
            if (i % 5 == 0)
            {
                Assert.False(seen.ContainsKey(KeyOf(i)));
            }
            else
            {
                Assert.Equal(i % 2 == 0 ? 2UL : 1UL, seen[KeyOf(i)].Sequence);
            }
        }
    }

    [Fact]
    public void ConcurrentReaders_NeverMissAnExistingEntry_WhileTheWriterUpdates()
    {
        using var index = Create();
        const int n = 2000;
        for (var i = 0; i < n; i++)
        {
            index.Upsert(KeyOf(i), EntryValue.Create(1, 1, 1));
        }

        // Make the records read-only so that updates copy them to the tail (the RCU path), then keep updating.
        index.TakeCheckpoint();
        using var stop = new CancellationTokenSource();
        var misses = 0;
        var readers = new Thread[2];
        for (var t = 0; t < readers.Length; t++)
        {
            readers[t] = new Thread(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    using var reader = index.RentReader();
                    for (var i = 0; i < n; i++)
                    {
                        if (!reader.TryGet(KeyOf(i), out var v) || v.Sequence == 0)
                        {
                            Interlocked.Increment(ref misses);
                        }
                    }
                }
            });
            readers[t].Start();
        }

        for (ulong round = 2; round < 40; round++)
        {
            for (var i = 0; i < n; i++)
            {
                index.Upsert(KeyOf(i), EntryValue.Create(round, 1, 1));
                index.Upsert(KeyOf(n + (int)(round * n) + i), EntryValue.Create(round, 1, 1));
            }

            if (round % 10 == 0)
            {
                index.TakeCheckpoint();
            }
        }

        stop.Cancel();
        foreach (var reader in readers)
        {
            reader.Join();
        }

        Assert.Equal(0, misses);
        Assert.Equal(n + (38 * n), index.Count);
    }

    private static EntryKey KeyOf(int i) =>
        EntryKey.Create((EntryKind)(1 + (i % 3)), 10_000_000_000UL + (ulong)i, (uint)(i % 11), (uint)(i % 5));

    private static void AssertAllFound(EntryIndex index, int n)
    {
        using var reader = index.RentReader();
        for (var i = 0; i < n; i++)
        {
            Assert.True(reader.MayContainRecipient(KeyOf(i).Recipient));
            Assert.True(reader.TryGet(KeyOf(i), out var value), $"entry {i} not found");
            Assert.Equal((ulong)i + 1, value.Sequence);
        }
    }

    private static void AssertSameEntries(Dictionary<EntryKey, EntryValue> expected, EntryIndex index)
    {
        foreach (var (key, value) in expected)
        {
            Assert.True(index.TryGet(key, out var read));
            Assert.Equal(value, read);
        }

        var scanned = 0;
        foreach (var (key, value) in index.Scan())
        {
            Assert.Equal(expected[key], value);
            scanned++;
        }

        Assert.Equal(expected.Count, scanned);
    }

    private EntryIndex Create(bool tiny = false) => EntryIndex.Create(Options(tiny), NullLogger.Instance);

    private EntryIndexOptions Options(bool tiny = false) => tiny
        ? new EntryIndexOptions
        {
            Directory = _directory.Path,
            ExpectedEntries = 1000,
            PageSizeBits = 12,
            MemorySizeBits = 14,
            SegmentSizeBits = 20,
        }
        : new EntryIndexOptions { Directory = _directory.Path, ExpectedEntries = 10_000, PageSizeBits = 20, MemorySizeBits = 26 };
}
