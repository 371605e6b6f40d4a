using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Tests.Storage.Log;

/// <summary>Records the change logs' measurements per meter, so that logs of tests running in parallel stay apart.</summary>
internal sealed class LogMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(Meter Meter, string Name, double Value)> _values = new();

    public LogMeasurements()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ChangeLogMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _values.Enqueue((instrument.Meter, instrument.Name, value)));
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => _values.Enqueue((instrument.Meter, instrument.Name, value)));
        _listener.Start();
    }

    public List<double> Values(ChangeLog log, string name) =>
        _values.Where(v => ReferenceEquals(v.Meter, log.Metrics.Meter) && v.Name == name).Select(v => v.Value).ToList();

    public long Sum(ChangeLog log, string name) => (long)Values(log, name).Sum();

    public void Dispose() => _listener.Dispose();
}
