using System.Diagnostics.Metrics;

namespace OptOutGate.Server.Replication;

/// <summary>
/// Meter "OptOutGate.Replication": on a primary, messages published to Redis and records dropped instead; on a replica,
/// its lag behind the primary (sequences and milliseconds), the delay from the primary's receive time to the change
/// being applied here, and gaps filled from the change stream.
/// </summary>
internal sealed class ReplicationMetrics : IDisposable
{
    public const string MeterName = "OptOutGate.Replication";

    private readonly Meter _meter;
    private readonly Counter<long> _published;
    private readonly Counter<long> _applied;
    private readonly Histogram<double> _applyDelay;

    // Records dropped and gaps filled are observed rather than counted, so that their series are at /metrics from the
    // first scrape, at 0 (a counter appears with its first measurement): they are what an alert on replication watches.
    private long _dropped;
    private long _gaps;
    private ReplicaLag? _lag;

    public ReplicationMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _published = _meter.CreateCounter<long>("optoutgate.replication.published", "{message}", "Messages published to the Redis channel of the tenant group.");
        _meter.CreateObservableCounter(
            "optoutgate.replication.dropped",
            () => Volatile.Read(ref _dropped),
            "{record}",
            "Records not published to Redis (Redis away or the buffer full); replicas fill them from the change stream.");
        _meter.CreateObservableCounter("optoutgate.replica.gaps", () => Volatile.Read(ref _gaps), "{gap}", "Gaps in the sequence numbers a replica filled from the change stream.");
        _applied = _meter.CreateCounter<long>("optoutgate.replica.applied", "{record}", "Records a replica applied, by where they came from.");
        _applyDelay = _meter.CreateHistogram(
            "optoutgate.replica.apply.delay",
            "s",
            "From the primary's receive time of a record to it being durable and visible on this replica (same clock assumed).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5] });
        _meter.CreateObservableGauge("optoutgate.replica.lag.sequences", () => _lag?.LagSequences ?? 0L, "{record}", "Sequences the replica is behind the primary's last report.");

        // In seconds, Prometheus's base unit: promtool rejects an exposition with a *_milliseconds metric (the gauge
        // was optoutgate_replica_lag_milliseconds).
        _meter.CreateObservableGauge(
            "optoutgate.replica.lag",
            () => (_lag?.LagMilliseconds ?? 0L) / 1000.0,
            "s",
            "How long the replica's oldest unapplied change has been waiting (0 when caught up).");
        _meter.CreateObservableGauge("optoutgate.replica.primary.committed", () => (long)(_lag?.PrimaryCommitted ?? 0), "{record}", "The primary's committed sequence as last reported.");
    }

    public void Track(ReplicaLag lag) => _lag = lag;

    public void Published() => _published.Add(1);

    public void PublishDropped(int records) => Interlocked.Add(ref _dropped, Math.Max(records, 1));

    public void GapFilled() => Interlocked.Increment(ref _gaps);

    public void Applied(int records, string source, double delaySeconds)
    {
        _applied.Add(records, new KeyValuePair<string, object?>("source", source));
        _applyDelay.Record(Math.Max(delaySeconds, 0));
    }

    public void Dispose() => _meter.Dispose();
}
