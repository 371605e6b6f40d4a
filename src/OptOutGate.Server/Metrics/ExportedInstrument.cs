using System.Diagnostics.Metrics;
using Prometheus;

namespace OptOutGate.Server.Metrics;

/// <summary>
/// One instrument as a Prometheus metric (<see cref="MeterExport"/>): counters as counters, up-down counters and
/// gauges as gauges, histograms as histograms with the instrument's advised buckets. The metric is created at the
/// first measurement, when the instrument's tag names are known; its label names are those tag names, sorted.
/// </summary>
internal abstract class ExportedInstrument
{
    // Prometheus's client libraries' default buckets, made for seconds: for histograms that advise none.
    private static readonly double[] s_defaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    [ThreadStatic]
    private static string[]? t_labelValues;

    private readonly Lock _creating;

    // The instrument's tag keys, in the order of the metric's label names (the keys sanitized and sorted).
    private string[]? _tagKeys;

    private ExportedInstrument(Instrument instrument, MetricFactory factory, Lock creating)
    {
        Instrument = instrument;
        Factory = factory;
        _creating = creating;
    }

    protected Instrument Instrument { get; }

    protected MetricFactory Factory { get; }

    protected string Help => string.IsNullOrEmpty(Instrument.Description) ? Instrument.Name : Instrument.Description;

    /// <summary>The export of <paramref name="instrument"/>; null for a kind Prometheus has no type for.</summary>
    public static ExportedInstrument? For(Instrument instrument, MetricFactory factory, Lock creating)
    {
        var type = instrument.GetType();
        var kind = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (kind == typeof(Counter<>))
        {
            return new CounterExport(instrument, factory, creating, observed: false);
        }

        if (kind == typeof(ObservableCounter<>))
        {
            return new CounterExport(instrument, factory, creating, observed: true);
        }

        if (kind == typeof(UpDownCounter<>))
        {
            return new GaugeExport(instrument, factory, creating, observed: false);
        }

        if (kind == typeof(ObservableGauge<>) || kind == typeof(ObservableUpDownCounter<>) || kind == typeof(Gauge<>))
        {
            return new GaugeExport(instrument, factory, creating, observed: true);
        }

        return kind == typeof(Histogram<>) ? new HistogramExport(instrument, factory, creating) : null;
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var keys = Volatile.Read(ref _tagKeys) ?? CreateMetric(tags);
        var values = t_labelValues ??= new string[8];
        if (values.Length < keys.Length)
        {
            values = t_labelValues = new string[keys.Length];
        }

        // Label values in label-name order; a tag a measurement leaves out is an empty value.
        for (var i = 0; i < keys.Length; i++)
        {
            values[i] = "";
            foreach (var tag in tags)
            {
                if (string.Equals(tag.Key, keys[i], StringComparison.Ordinal))
                {
                    values[i] = tag.Value as string ?? tag.Value?.ToString() ?? "";
                    break;
                }
            }
        }

        Record(value, values.AsSpan(0, keys.Length));
    }

    protected abstract void Create(string[] labelNames);

    protected abstract void Record(double value, ReadOnlySpan<string> labelValues);

    private string[] CreateMetric(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_creating)
        {
            if (_tagKeys is { } created)
            {
                return created;
            }

            var names = new string[tags.Length];
            var keys = new string[tags.Length];
            for (var i = 0; i < tags.Length; i++)
            {
                keys[i] = tags[i].Key;
                names[i] = PrometheusNames.Sanitize(keys[i]);
            }

            Array.Sort(names, keys, StringComparer.Ordinal);
            Create(names);
            Volatile.Write(ref _tagKeys, keys);
            return keys;
        }
    }

    private sealed class CounterExport(Instrument instrument, MetricFactory factory, Lock creating, bool observed) : ExportedInstrument(instrument, factory, creating)
    {
        private Counter? _counter;

        protected override void Create(string[] labelNames) =>
            _counter = Factory.CreateCounter(PrometheusNames.MetricName(Instrument, isCounter: true), Help, labelNames);

        protected override void Record(double value, ReadOnlySpan<string> labelValues)
        {
            var child = _counter!.WithLabels(labelValues);
            if (observed)
            {
                // An observable counter reports its running total.
                child.IncTo(value);
            }
            else
            {
                child.Inc(value);
            }
        }
    }

    private sealed class GaugeExport(Instrument instrument, MetricFactory factory, Lock creating, bool observed) : ExportedInstrument(instrument, factory, creating)
    {
        private Gauge? _gauge;

        protected override void Create(string[] labelNames) =>
            _gauge = Factory.CreateGauge(PrometheusNames.MetricName(Instrument, isCounter: false), Help, labelNames);

        protected override void Record(double value, ReadOnlySpan<string> labelValues)
        {
            var child = _gauge!.WithLabels(labelValues);
            if (observed)
            {
                child.Set(value);
            }
            else
            {
                child.Inc(value);
            }
        }
    }

    private sealed class HistogramExport(Instrument instrument, MetricFactory factory, Lock creating) : ExportedInstrument(instrument, factory, creating)
    {
        private Histogram? _histogram;

        protected override void Create(string[] labelNames) =>
            _histogram = Factory.CreateHistogram(
                PrometheusNames.MetricName(Instrument, isCounter: false),
                Help,
                labelNames,
                new HistogramConfiguration { Buckets = AdvisedBuckets(Instrument) ?? s_defaultBuckets });

        protected override void Record(double value, ReadOnlySpan<string> labelValues) => _histogram!.WithLabels(labelValues).Observe(value);

        private static double[]? AdvisedBuckets(Instrument instrument) => instrument switch
        {
            Histogram<double> { Advice.HistogramBucketBoundaries: { Count: > 0 } bounds } => [.. bounds],
            Histogram<long> { Advice.HistogramBucketBoundaries: { Count: > 0 } bounds } => [.. bounds.Select(static b => (double)b)],
            Histogram<int> { Advice.HistogramBucketBoundaries: { Count: > 0 } bounds } => [.. bounds.Select(static b => (double)b)],
            _ => null,
        };
    }
}
