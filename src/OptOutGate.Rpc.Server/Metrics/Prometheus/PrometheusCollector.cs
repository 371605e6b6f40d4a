using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>
/// Listens to the project's meters and renders them in the Prometheus text format. Synchronous measurements are
/// aggregated as they happen (per tag set, lock-free); observable instruments are read at scrape time.
/// </summary>
internal sealed class PrometheusCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly HashSet<InstrumentState> _reportedOverflow = [];
    private readonly HashSet<Instrument> _reportedConflict = [];
    private readonly Lock _scrapeLock = new();
    private readonly PrometheusMetricsOptions _options;
    private readonly double[] _defaultBoundaries;
    private readonly IMeterFactory? _scope;
    private readonly ILogger _logger;

    /// <param name="scope">
    /// The host's meter factory: meters created through another host's factory (other test hosts in the same
    /// process) are left out. Null accepts meters of any scope.
    /// </param>
    public PrometheusCollector(IOptions<PrometheusMetricsOptions> options, ILogger<PrometheusCollector>? logger = null, IMeterFactory? scope = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _defaultBoundaries = SortedBoundaries(_options.DefaultHistogramBoundaries);
        _scope = scope;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.MeasurementsCompleted = OnMeasurementsCompleted;
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((InstrumentState)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and renders every family that has at least one series.</summary>
    public string Collect()
    {
        lock (_scrapeLock)
        {
            var states = _instruments.Values.ToArray();
            foreach (var state in states)
            {
                state.ClearObservations();
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
#pragma warning disable CA1031 // One failing callback must not take the whole scrape down.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                PrometheusLog.ObservableFailed(_logger, ex);
            }

            Array.Sort(states, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            return Render(states);
        }
    }

    public void Dispose() => _listener.Dispose();

    private string Render(InstrumentState[] states)
    {
        var text = new StringBuilder(4096);
        InstrumentState? family = null;
        foreach (var state in states)
        {
            ReportOverflow(state);
            if (family is not null && family.Name == state.Name)
            {
                // Two instruments with one metric name (e.g. the same instrument name in two meters): one family.
                if (family.Type != state.Type)
                {
                    ReportConflict(state);
                    continue;
                }

                state.AppendSamples(text);
                continue;
            }

            var start = text.Length;
            text.Append("# HELP ").Append(state.Name).Append(' ');
            PrometheusText.AppendHelp(text, state.Help);
            text.Append("\n# TYPE ").Append(state.Name).Append(' ').Append(state.Type).Append('\n');
            if (state.AppendSamples(text))
            {
                family = state;
            }
            else
            {
                text.Length = start;
            }
        }

        return text.ToString();
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        var wanted = meter.Name == ProcessMetrics.MeterName
            ? _options.IncludeProcessMetrics
            : meter.Name.StartsWith(_options.MeterPrefix, StringComparison.Ordinal);
        if (!wanted || (_scope is not null && meter.Scope is not null && !ReferenceEquals(meter.Scope, _scope)))
        {
            return;
        }

        var state = CreateState(instrument);
        if (state is not null && _instruments.TryAdd(instrument, state))
        {
            listener.EnableMeasurementEvents(instrument, state);
        }
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state) => _instruments.TryRemove(instrument, out _);

    private InstrumentState? CreateState(Instrument instrument)
    {
        var max = _options.MaxSeriesPerInstrument;
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var kind = type.GetGenericTypeDefinition();
        if (kind == typeof(Histogram<>))
        {
            var boundaries = InstrumentAdviceReader.HistogramBoundaries(instrument) is { } advice ? SortedBoundaries(advice) : _defaultBoundaries;
            return new HistogramInstrumentState(instrument, PrometheusNaming.MetricName(instrument, isCounter: false), boundaries, max);
        }

        if (kind == typeof(Counter<>))
        {
            return new SumInstrumentState(instrument, PrometheusNaming.MetricName(instrument, isCounter: true), isCounter: true, accumulates: true, observable: false, max);
        }

        if (kind == typeof(UpDownCounter<>))
        {
            return new SumInstrumentState(instrument, PrometheusNaming.MetricName(instrument, isCounter: false), isCounter: false, accumulates: true, observable: false, max);
        }

        if (kind == typeof(Gauge<>))
        {
            return new SumInstrumentState(instrument, PrometheusNaming.MetricName(instrument, isCounter: false), isCounter: false, accumulates: false, observable: false, max);
        }

        // Observable counters report their running total, so they are set, not added, like gauges.
        var observableCounter = kind == typeof(ObservableCounter<>);
        if (observableCounter || kind == typeof(ObservableUpDownCounter<>) || kind == typeof(ObservableGauge<>))
        {
            return new SumInstrumentState(instrument, PrometheusNaming.MetricName(instrument, observableCounter), observableCounter, accumulates: false, observable: true, max);
        }

        return null;
    }

    private static double[] SortedBoundaries(IEnumerable<double> boundaries)
    {
        var sorted = boundaries.Where(static b => !double.IsNaN(b) && !double.IsPositiveInfinity(b)).Distinct().ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    private void ReportOverflow(InstrumentState state)
    {
        if (state.Overflowed && _reportedOverflow.Add(state))
        {
            PrometheusLog.SeriesCapReached(_logger, state.Instrument.Name, _options.MaxSeriesPerInstrument);
        }
    }

    private void ReportConflict(InstrumentState state)
    {
        if (_reportedConflict.Add(state.Instrument))
        {
            PrometheusLog.NameConflict(_logger, state.Instrument.Name, state.Instrument.Meter.Name, state.Name);
        }
    }
}
