using System.Diagnostics.Metrics;
using Prometheus;

namespace OptOutGate.Server.Metrics;

/// <summary>
/// Publishes the gate's System.Diagnostics.Metrics instruments (meters named <c>OptOutGate.*</c> made by this host's
/// <see cref="IMeterFactory"/>, and the engine's own) in a prometheus-net registry, which prometheus-net.AspNetCore
/// serves at /metrics. Synchronous measurements go straight into prometheus-net's counters, gauges and histograms;
/// observable instruments are read when the registry is scraped.
/// </summary>
/// <remarks>
/// Hand-written instead of prometheus-net's MeterAdapter, which (8.2.1) publishes every .NET counter as a Prometheus
/// gauge (so that a re-created instrument cannot make it go down), names each metric after its meter and instrument
/// together, leaves the unit out of the name and ignores the instruments' bucket advice. With it the exposition would
/// lose its counters (promtool rejects a gauge named <c>*_total</c>) and every metric name that dashboards, scripts and
/// the README use would change. The gate's instruments live as long as the process, so a counter is a counter here.
/// </remarks>
internal sealed class MeterExport : IDisposable
{
    private const string MeterPrefix = "OptOutGate";

    private readonly MeterListener _listener = new();
    private readonly IMeterFactory _scope;
    private readonly MetricFactory _factory;
    private readonly Lock _creating = new();
    private bool _disposed;

    public MeterExport(IMeterFactory scope, CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(registry);
        _scope = scope;
        _factory = Prometheus.Metrics.WithCustomRegistry(registry);

        // Exemplars are an OpenMetrics feature; the gate serves the classic text format, so none are kept.
        _factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record((double)value, tags));
        registry.AddBeforeCollectCallback(ReadObservables);
        _listener.Start();
    }

    public void Dispose()
    {
        lock (_creating)
        {
            _disposed = true;
        }

        _listener.Dispose();
    }

    private void ReadObservables()
    {
        lock (_creating)
        {
            if (_disposed)
            {
                return;
            }
        }

        _listener.RecordObservableInstruments();
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;

        // Meters of another host's factory (other test hosts in one process) are theirs to publish; the engine's
        // meters have no factory and belong to whichever engine this process runs.
        if (!meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal) || (meter.Scope is not null && !ReferenceEquals(meter.Scope, _scope)))
        {
            return;
        }

        if (ExportedInstrument.For(instrument, _factory, _creating) is { } exported)
        {
            listener.EnableMeasurementEvents(instrument, exported);
        }
    }
}
