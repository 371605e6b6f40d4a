using System.Diagnostics.Metrics;
using System.Text;

namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>
/// Counters and gauges. Synchronous counters and up-down counters add up measurements; gauges and every
/// observable instrument report the current value (an observable counter reports its running total).
/// </summary>
internal sealed class SumInstrumentState : InstrumentState
{
    private readonly SeriesTable<SumSeries> _series;
    private readonly bool _accumulates;
    private readonly bool _monotonic;
    private readonly bool _observable;

    public SumInstrumentState(Instrument instrument, string name, bool isCounter, bool accumulates, bool observable, int maxSeries)
        : base(instrument, name, isCounter ? "counter" : "gauge")
    {
        _series = new SeriesTable<SumSeries>(static () => new SumSeries(), maxSeries);
        _accumulates = accumulates;
        _monotonic = isCounter && accumulates;
        _observable = observable;
    }

    public override bool IsObservable => _observable;

    public override bool Overflowed => _series.Overflowed;

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // Counter<T> is monotonic by contract; a negative add would make Prometheus see a counter reset.
        if (_monotonic && !(value >= 0))
        {
            return;
        }

        var series = _series.GetOrAdd(tags);
        if (series is null)
        {
            return;
        }

        if (_accumulates)
        {
            series.Add(value);
        }
        else
        {
            series.Set(value);
        }
    }

    public override void ClearObservations()
    {
        if (_observable)
        {
            _series.Clear();
        }
    }

    public override bool AppendSamples(StringBuilder text)
    {
        var snapshot = _series.Snapshot();
        foreach (var (tags, series) in snapshot)
        {
            AppendSeriesName(text, Name, ConstantLabels, tags.Labels);
            text.Append(' ');
            PrometheusText.AppendValue(text, series.Value);
            text.Append('\n');
        }

        return snapshot.Length > 0;
    }
}
