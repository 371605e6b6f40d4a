using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Engine.Tests.Storage.Index;

/// <summary>
/// <see cref="EntryPrefetcher"/> reads FASTER's internals: these tests pin down that the places it computes are the ones
/// FASTER reads, by reading the record at each computed address and finding the key (and its newest value) there. A
/// FASTER upgrade that moves them fails here rather than silently losing the hints.
/// </summary>
public sealed class EntryPrefetcherTests : IDisposable
{
    // The record FASTER writes: its 8-byte header, then the key, then the value.
    private const int HeaderBytes = 8;

    private readonly IndexTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void TheRecordAddressOfEveryKey_HoldsThatKeyWithItsNewestValue_AcrossLogPages()
    {
        using var index = Create();
        const int keys = 100_000; // 32-byte records on 1 MiB pages: four pages
        for (var i = 0; i < keys; i++)
        {
            index.Upsert(KeyOf(i), EntryValue.Create((ulong)i + 1, 1, 1));
        }

        // Updates append newer records; the bucket then names the newest.
        for (var i = 0; i < keys; i += 10)
        {
            index.Upsert(KeyOf(i), EntryValue.Create(1_000_000 + (ulong)i, 2, 1));
        }

        var prefetcher = index.Prefetcher;
        Assert.NotNull(prefetcher);
        AssertAddressesHoldTheirKeys(prefetcher, keys, i => i % 10 == 0 ? 1_000_000 + (ulong)i : (ulong)i + 1);
    }

    [Fact]
    public void AfterRecovery_TheAddressesAreThoseOfTheRecoveredTable()
    {
        const int keys = 20_000;
        Guid token;
        using (var index = Create())
        {
            for (var i = 0; i < keys; i++)
            {
                index.Upsert(KeyOf(i), EntryValue.Create((ulong)i + 1, 1, 1));
            }

            token = index.TakeCheckpoint();
        }

        using var recovered = EntryIndex.Recover(Options(), token, NullLogger.Instance);
        var prefetcher = recovered.Prefetcher;
        Assert.NotNull(prefetcher);
        AssertAddressesHoldTheirKeys(prefetcher, keys, i => (ulong)i + 1);
    }

    [Fact]
    public void HintsForKeysThatAreMissingOrOnTheDevice_ChangeNoAnswer()
    {
        // 4 KiB pages and 16 KiB of log memory: most records are on the device, their page slots reused.
        using var index = EntryIndex.Create(
            new EntryIndexOptions { Directory = _directory.Path, ExpectedEntries = 1000, PageSizeBits = 12, MemorySizeBits = 14, SegmentSizeBits = 20 },
            NullLogger.Instance);
        for (var i = 0; i < 5000; i++)
        {
            index.Upsert(KeyOf(i), EntryValue.Create((ulong)i + 1, 1, 1));
        }

        var hashes = new long[10_000];
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = KeyOf(i).Hash64();
        }

        index.PrefetchEntries(hashes);

        for (var i = 0; i < hashes.Length; i++)
        {
            Assert.Equal(i < 5000, index.TryGet(KeyOf(i), out var value));
            Assert.Equal(i < 5000 ? (ulong)i + 1 : 0, value.Sequence);
        }
    }

    private static unsafe void AssertAddressesHoldTheirKeys(EntryPrefetcher prefetcher, int keys, Func<int, ulong> newestSequence)
    {
        var exact = 0;
        for (var i = 0; i < keys; i++)
        {
            var key = KeyOf(i);
            var hash = key.Hash64();
            var address = prefetcher.RecordAddress(hash);
            if (address == 0)
            {
                // The key's tag is in an overflow bucket (the hints stop at the first bucket).
                continue;
            }

            var held = Unsafe.Read<EntryKey>((void*)(address + HeaderBytes));
            if (held == key)
            {
                exact++;
                Assert.Equal(newestSequence(i), Unsafe.Read<EntryValue>((void*)(address + HeaderBytes + sizeof(EntryKey))).Sequence);
            }
            else
            {
                // Another key whose hash shares the bucket and the 14-bit tag: FASTER chains them, newest first, and the
                // hint names the chain's head.
                var other = held.Hash64();
                Assert.Equal(hash & prefetcher.BucketMask, other & prefetcher.BucketMask);
                Assert.Equal((ulong)hash >> 50, (ulong)other >> 50);
            }
        }

        // ExpectedEntries / 4 buckets, as the gate sizes them (3 keys per bucket here, 4-8 in the gate): most keys' tags are
        // in their first bucket, and tag collisions within a bucket are rare (99,393 of 100,000 exact here).
        Assert.True(exact > keys * 0.95, $"{exact} of {keys} addresses held their own key.");
    }

    private static EntryKey KeyOf(int i) => EntryKey.Create(EntryKind.OptOut, 447_400_000_000UL + (ulong)i, 7, 3);

    private EntryIndex Create() => EntryIndex.Create(Options(), NullLogger.Instance);

    private EntryIndexOptions Options() =>
        new() { Directory = _directory.Path, ExpectedEntries = 200_000, PageSizeBits = 20, MemorySizeBits = 26 };
}
