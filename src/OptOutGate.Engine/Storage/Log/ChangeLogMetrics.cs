using System.Diagnostics.Metrics;

namespace OptOutGate.Engine.Storage.Log;

/// <summary>The change log's instruments (meter <c>OptOutGate.Engine</c>), one meter per open log, disposed with it.</summary>
internal sealed class ChangeLogMetrics : IDisposable
{
    public const string MeterName = "OptOutGate.Engine";

    private readonly Meter _meter;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _appendedRecords;
    private readonly Counter<long> _commits;

    // Observed rather than counted: the series is then at /metrics from the first scrape, at 0, so that an alert on
    // its increase has a series to watch before the first damage (a counter appears with its first measurement).
    private long _damaged;

    public ChangeLogMetrics(ChangeLog log)
    {
        _meter = new Meter(MeterName);
        _commitDuration = _meter.CreateHistogram<double>(
            "optoutgate_log_commit_duration", "s", "Duration of one group commit of the change log (write and fsync).",
            advice: new InstrumentAdvice<double>
            {
                // An fsync takes 0.1-20 ms on SSDs and network disks.
                HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
            });
        _appendedRecords = _meter.CreateCounter<long>("optoutgate_log_appended_records", "{record}", "Records appended to the change log.");
        _commits = _meter.CreateCounter<long>("optoutgate_log_commits", "{commit}", "Group commits of the change log.");
        _meter.CreateObservableCounter(
            "optoutgate_log_damaged_records",
            () => Volatile.Read(ref _damaged),
            "{record}",
            "Change log records found damaged (failing their checksum) by readers or the background verification; each counted once.");
        _meter.CreateObservableGauge("optoutgate_log_size", () => log.SizeBytes, "By", "Bytes of the change log from its first to its last record.");
        _meter.CreateObservableGauge("optoutgate_log_last_sequence", () => (long)log.LastSequence, "{record}", "Highest committed sequence of the change log.");
    }

    /// <summary>This log's meter (tests tell logs apart by it).</summary>
    internal Meter Meter => _meter;

    public void Appended(int records) => _appendedRecords.Add(records);

    public void DamageFound() => Interlocked.Increment(ref _damaged);

    public void Committed(TimeSpan duration)
    {
        _commits.Add(1);
        _commitDuration.Record(duration.TotalSeconds);
    }

    public void Dispose() => _meter.Dispose();
}
