using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OptOutGate.Rpc.Server.Metrics.Prometheus;
using Xunit;

namespace OptOutGate.Rpc.Tests.Metrics;

public sealed class PrometheusCollectorTests
{
    [Fact]
    public void Renders_counters_gauges_observables_and_histograms_exactly()
    {
        var prefix = UniquePrefix();
        using var meter = new Meter(prefix + ".Render");
        using var collector = NewCollector(prefix);
        var requests = meter.CreateCounter<long>("requests", "{request}", "Requests handled.", [new("region", "eu")]);
        var work = meter.CreateCounter<double>("work_total", "s", "Work done.");
        var inFlight = meter.CreateUpDownCounter<int>("calls.in-flight", "{call}", "Calls in flight.");
        meter.CreateObservableGauge("queue_size", static () => 1536L, "By", "Queued bytes.");
        var latency = meter.CreateHistogram<double>("latency", "s", "Latency.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 1] });
        var escapes = meter.CreateCounter<long>("escapes", null, "Back\\slash and\nnewline \"quoted\".");
        meter.CreateCounter<long>("unused", null, "Never incremented.");

        requests.Add(1, new KeyValuePair<string, object?>("code", "OK"));
        requests.Add(2, new KeyValuePair<string, object?>("code", "OK"));
        requests.Add(1, new KeyValuePair<string, object?>("code", "NOT_FOUND"));
        work.Add(0.5);
        work.Add(1);
        inFlight.Add(3);
        inFlight.Add(-1);
        foreach (var value in new[] { 0.125, 0.25, 0.5, 2 })
        {
            latency.Record(value, new KeyValuePair<string, object?>("op", "get"));
        }

        escapes.Add(7, new KeyValuePair<string, object?>("http.path", "a\"b\\c\nd"), new KeyValuePair<string, object?>("ok", true));

        Assert.Equal(
            """
            # HELP calls_in_flight Calls in flight.
            # TYPE calls_in_flight gauge
            calls_in_flight 2
            # HELP escapes_total Back\\slash and\nnewline "quoted".
            # TYPE escapes_total counter
            escapes_total{http_path="a\"b\\c\nd",ok="true"} 7
            # HELP latency_seconds Latency.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{op="get",le="0.25"} 2
            latency_seconds_bucket{op="get",le="1"} 3
            latency_seconds_bucket{op="get",le="+Inf"} 4
            latency_seconds_sum{op="get"} 2.875
            latency_seconds_count{op="get"} 4
            # HELP queue_size_bytes Queued bytes.
            # TYPE queue_size_bytes gauge
            queue_size_bytes 1536
            # HELP requests_total Requests handled.
            # TYPE requests_total counter
            requests_total{region="eu",code="NOT_FOUND"} 1
            requests_total{region="eu",code="OK"} 3
            # HELP work_seconds_total Work done.
            # TYPE work_seconds_total counter
            work_seconds_total 1.5

            """.ReplaceLineEndings("\n"),
            collector.Collect());
    }

    [Fact]
    public void Same_tags_in_another_order_are_one_series()
    {
        var prefix = UniquePrefix();
        using var meter = new Meter(prefix);
        using var collector = NewCollector(prefix);
        var counter = meter.CreateCounter<int>("hits");

        counter.Add(1, new("a", "1"), new("b", 2));
        counter.Add(1, new("b", 2), new("a", "1"));

        Assert.Contains("hits_total{a=\"1\",b=\"2\"} 2\n", collector.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void Observable_counter_reports_its_total_and_drops_series_no_longer_observed()
    {
        var prefix = UniquePrefix();
        using var meter = new Meter(prefix);
        using var collector = NewCollector(prefix);
        var total = 10L;
        var tag = "x";
        meter.CreateObservableCounter("ticks", () => new Measurement<long>(total, new KeyValuePair<string, object?>("k", tag)), null, "Ticks.");

        Assert.Contains("ticks_total{k=\"x\"} 10\n", collector.Collect(), StringComparison.Ordinal);
        total = 15;
        tag = "y";
        var second = collector.Collect();

        Assert.Contains("ticks_total{k=\"y\"} 15\n", second, StringComparison.Ordinal);
        Assert.DoesNotContain("k=\"x\"", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Meters_outside_the_prefix_are_ignored()
    {
        var prefix = UniquePrefix();
        using var inside = new Meter(prefix + ".In");
        using var outside = new Meter("Other" + prefix);
        using var collector = NewCollector(prefix);
        inside.CreateCounter<long>("kept").Add(1);
        outside.CreateCounter<long>("dropped").Add(1);

        var text = collector.Collect();

        Assert.Contains("kept_total 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dropped", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_without_advice_uses_the_default_buckets_and_bounds_are_inclusive()
    {
        var prefix = UniquePrefix();
        using var meter = new Meter(prefix);
        using var collector = NewCollector(prefix, o => o.DefaultHistogramBoundaries = [10, 100]);
        var sizes = meter.CreateHistogram<int>("sizes", "By", "Sizes.");

        sizes.Record(10);
        sizes.Record(11);
        sizes.Record(1000);

        Assert.Contains(
            "sizes_bytes_bucket{le=\"10\"} 1\nsizes_bytes_bucket{le=\"100\"} 2\nsizes_bytes_bucket{le=\"+Inf\"} 3\nsizes_bytes_sum 1021\nsizes_bytes_count 3\n",
            collector.Collect(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void New_tag_sets_beyond_the_cap_are_dropped_and_existing_ones_still_count()
    {
        var prefix = UniquePrefix();
        using var meter = new Meter(prefix);
        using var collector = NewCollector(prefix, o => o.MaxSeriesPerInstrument = 2);
        var counter = meter.CreateCounter<long>("capped");

        for (var i = 0; i < 5; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("id", i));
        }

        counter.Add(1, new KeyValuePair<string, object?>("id", 0));

        var text = collector.Collect();
        Assert.Contains("capped_total{id=\"0\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("capped_total{id=\"1\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"2\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_counter_adds_are_ignored()
    {
        var prefix = UniquePrefix();
        using var meter = new Meter(prefix);
        using var collector = NewCollector(prefix);
        var counter = meter.CreateCounter<long>("mono");

        counter.Add(5);
        counter.Add(-3);

        Assert.Contains("mono_total 5\n", collector.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_adds_are_all_counted()
    {
        var prefix = UniquePrefix();
        using var meter = new Meter(prefix);
        using var collector = NewCollector(prefix);
        var counter = meter.CreateCounter<double>("sum");
        var histogram = meter.CreateHistogram<double>("obs");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                counter.Add(1, new KeyValuePair<string, object?>("t", t % 2));
                histogram.Record(1);
            }
        }))).WaitAsync(TimeSpan.FromSeconds(30));

        var text = collector.Collect();
        Assert.Contains("sum_total{t=\"0\"} 40000\n", text, StringComparison.Ordinal);
        Assert.Contains("sum_total{t=\"1\"} 40000\n", text, StringComparison.Ordinal);
        Assert.Contains("obs_count 80000\n", text, StringComparison.Ordinal);
        Assert.Contains("obs_sum 80000\n", text, StringComparison.Ordinal);
    }

    internal static PrometheusCollector NewCollector(string prefix, Action<PrometheusMetricsOptions>? configure = null)
    {
        var options = new PrometheusMetricsOptions { MeterPrefix = prefix, IncludeProcessMetrics = false };
        configure?.Invoke(options);
        return new PrometheusCollector(Options.Create(options));
    }

    // Meters are process-wide: a unique prefix keeps parallel tests out of each other's output.
    private static string UniquePrefix() => "OptOutGate.Test" + Guid.NewGuid().ToString("N");
}
