using System.Diagnostics.Metrics;

namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>Reads a histogram's bucket advice, which is typed by the instrument's value type.</summary>
internal static class InstrumentAdviceReader
{
    public static IEnumerable<double>? HistogramBoundaries(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
        Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
        Histogram<short> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
        Histogram<byte> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
        Histogram<decimal> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
        _ => null,
    };
}
