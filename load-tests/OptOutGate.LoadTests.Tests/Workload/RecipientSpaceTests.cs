using System.Globalization;
using System.Text.RegularExpressions;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Tests.Workload;

public class RecipientSpaceTests
{
    [Fact]
    public void Numbers_are_e164_distinct_and_the_same_in_every_process()
    {
        var space = new RecipientSpace(seed: 1);
        var numbers = Enumerable.Range(0, 20_000).Select(i => space.Number(i)).ToList();

        Assert.All(numbers, static n => Assert.Matches(new Regex(@"^\+(55\d\d9|86\d\d\d)\d{8}$"), n));
        Assert.Equal(numbers.Count, numbers.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(numbers[1234], new RecipientSpace(seed: 1).Number(1234));
        Assert.NotEqual(numbers[1234], new RecipientSpace(seed: 2).Number(1234));
    }

    [Fact]
    public void Every_block_holds_numbers_the_numbering_plans_allow()
    {
        // The gate answers INVALID_RECIPIENT for a number no numbering plan allows: every number here must be valid.
        var util = PhoneNumbers.PhoneNumberUtil.GetInstance();
        var random = new Random(5);
        Assert.Equal(80, RecipientSpace.BlockPrefixes.Count);
        foreach (var prefix in RecipientSpace.BlockPrefixes)
        {
            foreach (var offset in (int[])[0, 99_999_999, random.Next(100_000_000), random.Next(100_000_000), random.Next(100_000_000)])
            {
                var number = prefix + offset.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
                var parsed = util.Parse(number, null);
                Assert.True(util.IsValidNumber(parsed) && util.Format(parsed, PhoneNumbers.PhoneNumberFormat.E164) == number, number);
            }
        }

        var space = new RecipientSpace(seed: 3);
        foreach (var index in (long[])[0, 1, RecipientSpace.MaxDataset, RecipientSpace.MoStart, RecipientSpace.Span - 1])
        {
            Assert.True(util.IsValidNumber(util.Parse(space.Number(index), null)), space.Number(index));
        }
    }

    [Fact]
    public void Ranges_do_not_overlap()
    {
        var space = new RecipientSpace(seed: 7);
        var random = new Random(3);
        var dataset = Enumerable.Range(0, 5_000).Select(i => space.Number(i)).ToHashSet(StringComparer.Ordinal);

        for (var i = 0; i < 20_000; i++)
        {
            Assert.DoesNotContain(space.Allowed(random), dataset);
            Assert.DoesNotContain(space.MoSender(random), dataset);
            Assert.DoesNotContain(space.LagProbe(random), dataset);
        }
    }

    [Fact]
    public void Every_batch_holds_exactly_the_opted_out_share_of_dataset_numbers()
    {
        Assert.True(LoadTestOptions.TryParse(["check", "--dataset", "3000", "--batch-size", "1000", "--opted-out-share", "0.02", "--batches", "8"], out var options, out _));
        var space = new RecipientSpace(options.Seed);
        var dataset = Enumerable.Range(0, 3000).Select(i => space.Number(i)).ToHashSet(StringComparer.Ordinal);

        var pool = BatchPool.Create(options, space);

        Assert.Equal(20, pool.ExpectedBlocked);
        Assert.Equal(8, pool.Requests.Length);
        Assert.All(pool.Requests, r =>
        {
            Assert.Equal(1000, r.Recipients.Count);
            Assert.Equal(20, r.Recipients.Count(dataset.Contains));
        });
    }

    [Fact]
    public void Compact_batches_send_the_same_numbers_as_integers_and_keep_the_text_ones_for_the_peers()
    {
        Assert.True(LoadTestOptions.TryParse(["race", "--dataset", "3000", "--batches", "4", "--compact"], out var options, out _));
        var pool = BatchPool.Create(options, new RecipientSpace(options.Seed));

        for (var b = 0; b < pool.Requests.Length; b++)
        {
            var sent = CheckBatchRequest.Parser.ParseFrom(pool.Encoded(b));
            Assert.Empty(sent.Recipients);
            Assert.Equal(pool.Requests[b].Recipients.Select(static r => ulong.Parse(r[1..], CultureInfo.InvariantCulture)), sent.RecipientsE164);
            Assert.Equal(pool.Requests[b].Sender, sent.Sender);
            Assert.Equal(1000, pool.Requests[b].Recipients.Count);
        }
    }

    [Fact]
    public void No_dataset_means_no_opted_out_recipients() =>
        Assert.Equal(0, BatchPool.OptedOutPerBatch(1000, 0.02, dataset: 0));
}
