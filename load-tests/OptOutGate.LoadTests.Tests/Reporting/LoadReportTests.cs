using OptOutGate.LoadTests.Reporting;
using Grpc.Core;

namespace OptOutGate.LoadTests.Tests.Reporting;

public class LoadReportTests
{
    private static readonly long[] s_oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    [Theory]
    [InlineData(10, 1)] // ip = 1.0 is whole: rank 1 is index 0
    [InlineData(25, 3)] // ip = 2.5: index 2
    [InlineData(50, 5)] // ip = 5.0 is whole: index 4
    [InlineData(75, 8)] // ip = 7.5: index 7
    [InlineData(90, 9)]
    [InlineData(95, 10)]
    [InlineData(99, 10)]
    [InlineData(99.9, 10)]
    public void Percentile_is_ghz_nearest_rank(double percentage, long expected) =>
        Assert.Equal(expected, LoadReport.Percentile(s_oneToTen, percentage));

    [Fact]
    public void Percentile_of_one_value_is_that_value_and_of_none_is_zero()
    {
        Assert.Equal(42, LoadReport.Percentile([42], 10));
        Assert.Equal(42, LoadReport.Percentile([42], 99.9));
        Assert.Equal(0, LoadReport.Percentile([], 50));
    }

    [Fact]
    public void Histogram_has_ten_equal_buckets_from_fastest_plus_a_last_mark_at_slowest()
    {
        long[] ms = [1, 1, 1, 5, 10];
        var buckets = LoadReport.Histogram(ms.Select(static m => m * 1_000_000).ToArray());

        Assert.Equal(11, buckets.Length);
        Assert.Equal(0.001, buckets[0].Mark, 12);
        Assert.Equal(0.0019, buckets[1].Mark, 12);
        Assert.Equal(0.010, buckets[10].Mark, 12);
        Assert.Equal([3, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], buckets.Select(static b => b.Count));
        Assert.Equal(0.6, buckets[0].Frequency, 12);
        Assert.Equal(0.2, buckets[10].Frequency, 12);
    }

    [Fact]
    public void Histogram_compares_in_float_seconds_like_ghz()
    {
        var sorted = Enumerable.Range(1, 11).Select(static m => m * 1_000_000L).ToArray();

        var buckets = LoadReport.Histogram(sorted);

        // 1..11 ms on marks 1..11 ms: one per bucket, except that in float seconds the third mark is
        // 0.0029999999999999996 and 3 ms moves one bucket on, as it does in ghz (same IEEE arithmetic).
        Assert.Equal(0.0029999999999999996, buckets[2].Mark);
        Assert.Equal([1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 2], buckets.Select(static b => b.Count));
    }

    [Fact]
    public void Histogram_of_equal_latencies_fills_the_first_bucket()
    {
        var buckets = LoadReport.Histogram([2_000, 2_000, 2_000]);

        Assert.Equal(3, buckets[0].Count);
        Assert.Equal(3, buckets.Sum(static b => b.Count));
    }

    [Theory]
    [InlineData(3, 3, 40)]
    [InlineData(1, 3, 13)] // (40 + 1) / 3
    [InlineData(0, 3, 0)]
    [InlineData(0, 0, 0)]
    public void Bar_length_is_rounded_share_of_40(int count, int max, int expected) =>
        Assert.Equal(expected, LoadReport.BarLength(count, max));

    [Fact]
    public void Count_average_and_rps_include_failures_while_fastest_slowest_and_percentiles_do_not()
    {
        var recorder = new LatencyRecorder();
        recorder.RecordOk(1_000_000, recipients: 1000, ended: 1);
        recorder.RecordOk(3_000_000, recipients: 1000, ended: 2);
        recorder.RecordError(5_000_000, new Status(StatusCode.Unavailable, "draining"), ended: 3);

        var report = LoadReport.From("t", [recorder], TimeSpan.FromSeconds(1), countsRecipients: true);

        Assert.Equal(3, report.Count);
        Assert.Equal(3_000_000, report.AverageNanos);
        Assert.Equal(1_000_000, report.FastestNanos);
        Assert.Equal(3_000_000, report.SlowestNanos);
        Assert.Equal(3.0, report.Rps, 9);
        Assert.Equal(2000.0, report.RecipientsPerSecond, 9);
        Assert.Equal(3_000_000, LoadReport.Percentile(report.SortedOkNanos, 99));
    }

    [Fact]
    public void Format_has_ghz_layout_with_recipients_and_go_status_names()
    {
        var recorder = new LatencyRecorder();
        recorder.RecordOk(1_000_000, 1000, 1);
        recorder.RecordOk(2_000_000, 1000, 2);
        recorder.RecordError(3_000_000, new Status(StatusCode.Cancelled, "client went away"), 3);

        var text = LoadReport.From("check", [recorder], TimeSpan.FromSeconds(2), countsRecipients: true).Format();

        Assert.StartsWith("\nSummary:\n  Name:\t\tcheck\n  Count:\t3\n  Total:\t2.00 s\n  Slowest:\t2.00 ms\n  Fastest:\t1.00 ms\n  Average:\t2.00 ms\n  Requests/sec:\t1.50\n  Recipients/sec:\t1000.00\n", text, StringComparison.Ordinal);
        Assert.Contains("\nResponse time histogram:\n  1.000 [1]\t|" + new string('∎', 40) + "\n", text, StringComparison.Ordinal);
        Assert.Contains("  2.000 [1]\t|" + new string('∎', 40) + "\n\nLatency distribution:\n  10 % in 1.00 ms \n", text, StringComparison.Ordinal);
        Assert.Contains("\n  99.9 % in 2.00 ms \n\nStatus code distribution:\n", text, StringComparison.Ordinal);
        Assert.Contains("  [OK]         2 responses   \n  [Canceled]   1 responses   \n", text, StringComparison.Ordinal);
        Assert.Contains("Error distribution:\n  [1]   rpc error: code = Canceled desc = client went away   \n", text, StringComparison.Ordinal);
        Assert.Equal(11, text.Split('\n').Count(static l => l.Contains("]\t|", StringComparison.Ordinal)));
    }
}
