using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Engine.Tests.Storage.Index;

public sealed class RecipientSummaryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(1_000)]
    [InlineData(200_000)]
    public void Every_fingerprint_it_was_built_from_or_given_is_reported_and_few_others_are(int count)
    {
        var random = new Random(count);
        var present = new HashSet<uint>();
        uint Fresh()
        {
            uint f;
            do
            {
                f = (uint)random.Next(1, int.MaxValue);
            }
            while (!present.Add(f));
            return f;
        }

        // Built from a table holding `count` fingerprints (empty slots between them), then given more up to what the
        // table would hold before it grows.
        var slots = new uint[count * 2];
        for (var i = 0; i < count; i++)
        {
            slots[i * 2] = Fresh();
        }

        var summary = RecipientSummary.Build(slots);
        while (present.Count < summary.CapacityKeys)
        {
            summary.Add(Fresh());
        }

        Assert.All(present, f => Assert.True(summary.MayContain(f), $"fingerprint {f} missing"));

        // At capacity, 10 bits per fingerprint: a split-block Bloom filter answers 1-2 % of the others "maybe".
        var maybe = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var f = Fresh();
            maybe += summary.MayContain(f) ? 1 : 0;
        }

        Assert.True(maybe < 5_000, $"{maybe} of 200,000 absent fingerprints reported with {summary.CapacityKeys} held");
    }

    [Fact]
    public void It_is_much_smaller_than_the_table_it_summarizes()
    {
        var summary = RecipientSummary.Build(new uint[RecipientFilter.CapacityFor(1 << 20)]);

        // A table of 2 Mi slots holds 1.5 Mi before it grows: 10 bits each, 1.9 MiB against the table's 8 MiB.
        Assert.InRange(summary.SizeInBytes, 1_950_000, 2_000_000);
        Assert.Equal(3L << 19, summary.CapacityKeys);
    }
}
