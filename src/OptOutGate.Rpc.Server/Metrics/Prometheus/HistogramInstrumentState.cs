using System.Diagnostics.Metrics;
using System.Text;

namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>A Histogram&lt;T&gt; as a Prometheus histogram with cumulative <c>le</c> buckets.</summary>
internal sealed class HistogramInstrumentState : InstrumentState
{
    private readonly double[] _boundaries;
    private readonly string[] _boundaryLabels;
    private readonly SeriesTable<HistogramSeries> _series;

    public HistogramInstrumentState(Instrument instrument, string name, double[] boundaries, int maxSeries)
        : base(instrument, name, "histogram")
    {
        _boundaries = boundaries;
        _boundaryLabels = new string[boundaries.Length + 1];
        for (var i = 0; i < boundaries.Length; i++)
        {
            _boundaryLabels[i] = PrometheusText.FormatBound(boundaries[i]);
        }

        _boundaryLabels[^1] = "+Inf";
        var count = boundaries.Length;
        _series = new SeriesTable<HistogramSeries>(() => new HistogramSeries(count), maxSeries);
    }

    public override bool Overflowed => _series.Overflowed;

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        _series.GetOrAdd(tags)?.Record(value, _boundaries);
    }

    public override bool AppendSamples(StringBuilder text)
    {
        var snapshot = _series.Snapshot();
        var counts = new long[_boundaryLabels.Length];
        foreach (var (tags, series) in snapshot)
        {
            series.CopyBuckets(counts);
            long cumulative = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                cumulative += counts[i];
                AppendSeriesName(text, Name + "_bucket", ConstantLabels, tags.Labels, "le", _boundaryLabels[i]);
                text.Append(' ');
                PrometheusText.AppendValue(text, cumulative);
                text.Append('\n');
            }

            AppendSeriesName(text, Name + "_sum", ConstantLabels, tags.Labels);
            text.Append(' ');
            PrometheusText.AppendValue(text, series.Sum);
            text.Append('\n');
            AppendSeriesName(text, Name + "_count", ConstantLabels, tags.Labels);
            text.Append(' ');
            PrometheusText.AppendValue(text, cumulative);
            text.Append('\n');
        }

        return snapshot.Length > 0;
    }
}
