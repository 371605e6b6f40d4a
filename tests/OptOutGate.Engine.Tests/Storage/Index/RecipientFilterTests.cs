using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Engine.Tests.Storage.Index;

public sealed class RecipientFilterTests
{
    [Fact]
    public void AddedRecipients_AreAlwaysReported_AcrossGrowth()
    {
        var filter = new RecipientFilter(16);
        var initialCapacity = filter.Capacity;
        for (ulong r = 0; r < 100_000; r++)
        {
            filter.Add(14_000_000_000UL + (r * 7919));
        }

        Assert.True(filter.Capacity > initialCapacity);
        Assert.True(filter.Count * 4 <= filter.Capacity * 3);
        var all = new ulong[100_000];
        for (ulong r = 0; r < 100_000; r++)
        {
            all[r] = 14_000_000_000UL + (r * 7919);
            Assert.True(filter.MayContain(all[r]));
        }

        // The batch probe too, through the summary rebuilt with the table at each growth on the way (16 → 100,000).
        var results = new bool[all.Length];
        filter.MayContainMany(all, results);
        Assert.All(results, Assert.True);
    }

    [Fact]
    public void AbsentRecipients_AreRejected_ButForRareFingerprintCollisions()
    {
        var filter = new RecipientFilter(100_000);
        for (ulong r = 0; r < 100_000; r++)
        {
            filter.Add(14_000_000_000UL + r);
        }

        var falsePositives = 0;
        for (ulong r = 0; r < 100_000; r++)
        {
            if (filter.MayContain(44_000_000_000UL + r))
            {
                falsePositives++;
            }
        }

        // About n / 2^32 per probe: 0.002 % here.
        Assert.True(falsePositives < 10, $"{falsePositives} false positives");
    }

    [Theory]
    [InlineData(1L << 20, 1L << 21)]
    [InlineData(10_000_000L, 1L << 24)]
    [InlineData(100_000_000L, 1L << 28)]
    [InlineData(1L, 1024L)]
    public void A_new_table_holds_the_expected_recipients_at_60_percent_load_or_less(long expected, long slots)
    {
        Assert.Equal(slots, (long)RecipientFilter.CapacityFor(expected));
        Assert.True(expected * 5 <= slots * 3);
    }

    [Fact]
    public void AddingTwice_CountsOnce()
    {
        var filter = new RecipientFilter(10);

        Assert.True(filter.Add(14155550100UL));
        Assert.False(filter.Add(14155550100UL));
        Assert.Equal(1, filter.Count);
    }

    [Fact]
    public void MayContainMany_AgreesWithMayContain()
    {
        var filter = new RecipientFilter(1000);
        var recipients = new ulong[5003];
        for (var i = 0; i < recipients.Length; i++)
        {
            recipients[i] = 33_100_000_000UL + ((ulong)i * 104729);
            if (i % 3 == 0)
            {
                filter.Add(recipients[i]);
            }
        }

        var results = new bool[recipients.Length];
        filter.MayContainMany(recipients, results);

        for (var i = 0; i < recipients.Length; i++)
        {
            Assert.Equal(filter.MayContain(recipients[i]), results[i]);
            if (i % 3 == 0)
            {
                Assert.True(results[i]);
            }
        }
    }

    /// <summary>
    /// The probe against a slot-by-slot model of linear probing, on tables filled well past the load a live filter
    /// reaches (up to 97 %), so that clusters start at every lane of a block, run longer than a block and wrap around
    /// the table's end: every member is found, and every other recipient gets the model's answer (a collision of
    /// fingerprints is a "maybe", as it must be).
    /// </summary>
    [Theory]
    [InlineData(1024, 0.30, 1)]
    [InlineData(1024, 0.75, 2)]
    [InlineData(1024, 0.97, 3)]
    [InlineData(1 << 16, 0.90, 4)]
    public void Probe_GivesWhatSlotBySlotLinearProbingGives(int capacity, double load, int seed)
    {
        var random = new Random(seed);
        var slots = new uint[capacity];
        var mask = (uint)capacity - 1;
        var members = new List<ulong>();
        while (members.Count < (int)(capacity * load))
        {
            var recipient = (ulong)random.NextInt64(10_000_000_000, 999_999_999_999_999);
            var f = RecipientFilter.Fingerprint(recipient);
            var i = f & mask;
            while (slots[i] != 0 && slots[i] != f)
            {
                i = (i + 1) & mask;
            }

            if (slots[i] == 0)
            {
                slots[i] = f;
                members.Add(recipient);
            }
        }

        var filter = RecipientFilter.FromSlots(slots, members.Count);
        var others = Enumerable.Range(0, 20_000).Select(_ => (ulong)random.NextInt64(10_000_000_000, 999_999_999_999_999)).ToArray();
        var all = members.Concat(others).ToArray();
        var batch = new bool[all.Length];
        filter.MayContainMany(all, batch);
        for (var k = 0; k < all.Length; k++)
        {
            var expected = k < members.Count || ModelProbe(slots, RecipientFilter.Fingerprint(all[k]));
            Assert.Equal(expected, filter.MayContain(all[k]));
            Assert.Equal(expected, batch[k]);
        }

        // The model itself: it finds every member (a probe it could not pass would make the test vacuous).
        Assert.All(members, m => Assert.True(ModelProbe(slots, RecipientFilter.Fingerprint(m))));
        Assert.Contains(others, o => !ModelProbe(slots, RecipientFilter.Fingerprint(o)));
    }

    private static bool ModelProbe(uint[] slots, uint f)
    {
        var mask = (uint)slots.Length - 1;
        for (var i = f & mask; ; i = (i + 1) & mask)
        {
            if (slots[i] == f)
            {
                return true;
            }

            if (slots[i] == 0)
            {
                return false;
            }
        }
    }

    [Fact]
    public void SavedFile_LoadsTheSameFilter_AndRejectsDamageOrAnotherToken()
    {
        using var directory = new IndexTestDirectory();
        var path = Path.Combine(directory.Path, "f.filter");
        var token = Guid.NewGuid();
        var filter = new RecipientFilter(100);
        for (ulong r = 0; r < 5000; r++)
        {
            filter.Add(12_000_000_000UL + r);
        }

        RecipientFilterFile.Save(path, token, filter, entryCount: 12345);

        Assert.True(RecipientFilterFile.TryLoad(path, token, out var loaded, out var entries));
        Assert.Equal(12345, entries);
        Assert.Equal(filter.Count, loaded!.Count);
        Assert.Equal(filter.Slots, loaded.Slots);
        Assert.False(RecipientFilterFile.TryLoad(path, Guid.NewGuid(), out _, out _));

        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        Assert.False(RecipientFilterFile.TryLoad(path, token, out _, out _));

        File.WriteAllBytes(path, bytes[..100]);
        Assert.False(RecipientFilterFile.TryLoad(path, token, out _, out _));
        Assert.False(RecipientFilterFile.TryLoad(Path.Combine(directory.Path, "missing"), token, out _, out _));
    }
}
