using System.Diagnostics.Metrics;

namespace OptOutGate.Engine;

/// <summary>The engine's instruments (meter <c>OptOutGate.Engine</c>, like the change log's), disposed with the engine.</summary>
internal sealed class GateEngineMetrics : IDisposable
{
    public const string MeterName = "OptOutGate.Engine";

    private readonly Meter _meter;
    private readonly Histogram<double> _checkpointDuration;
    private readonly Histogram<double> _recoveryDuration;

    public GateEngineMetrics(GateEngine engine)
    {
        _meter = new Meter(MeterName);
        _checkpointDuration = _meter.CreateHistogram<double>(
            "optoutgate_checkpoint_duration", "s", "Duration of one checkpoint (index, scopes, configuration, history heads) with the applier paused.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _recoveryDuration = _meter.CreateHistogram<double>(
            "optoutgate_recovery_duration", "s", "Duration of opening the engine: checkpoint load plus log replay.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
        _meter.CreateObservableGauge("optoutgate_index_entries", () => engine.Index.Count, "{entry}", "Entries (opt-out, suppression, bypass) in the index.");
        _meter.CreateObservableGauge("optoutgate_applied_sequence", () => (long)engine.Applier.AppliedSequence, "{record}", "Highest sequence applied and visible to checks.");
        _meter.CreateObservableGauge("optoutgate_last_checkpoint_sequence", () => (long)engine.LastCheckpointSequence, "{record}", "Sequence of the newest checkpoint.");
    }

    public void CheckpointTaken(TimeSpan duration) => _checkpointDuration.Record(duration.TotalSeconds);

    public void Recovered(TimeSpan duration) => _recoveryDuration.Record(duration.TotalSeconds);

    public void Dispose() => _meter.Dispose();
}
