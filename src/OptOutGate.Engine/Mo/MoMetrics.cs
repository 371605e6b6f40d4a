using System.Diagnostics.Metrics;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo;

/// <summary>
/// Meter "OptOutGate.Mo": MO messages by action, duplicates, classification time, import lines by outcome, and the
/// review queue (open items and the age of the oldest), observed from the ledger when scraped.
/// </summary>
internal sealed class MoMetrics : IDisposable
{
    public const string MeterName = "OptOutGate.Mo";

    private static readonly KeyValuePair<string, object?>[][] s_actionTags = CreateActionTags();

    private readonly Meter _meter;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _classification;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _importLines;

    // Observed rather than counted, so that the series is at /metrics from the first scrape, at 0 (a counter appears
    // with its first measurement): the README names it for alerting on carrier clocks.
    private long _carrierTimeAhead;
    private Func<(int Count, DateTime Oldest)>? _reviewQueue;

    public MoMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _messages = _meter.CreateCounter<long>("optoutgate.mo.messages", "{message}", "MO messages recorded, by action (DUPLICATE included).");
        _duplicates = _meter.CreateCounter<long>("optoutgate.mo.duplicates", "{message}", "Carrier retries recognized as duplicates.");
        _errors = _meter.CreateCounter<long>("optoutgate.mo.errors", "{message}", "MO messages answered with an error (malformed, unknown inbound address, not durable).");
        _classification = _meter.CreateHistogram(
            "optoutgate.mo.classification.duration",
            "s",
            "Time to normalize and classify one MO text.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.000_000_5, 0.000_001, 0.000_002, 0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.001] });
        _duration = _meter.CreateHistogram(
            "optoutgate.mo.duration",
            "s",
            "Time from a validated MO message to its durable result.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
        _meter.CreateObservableCounter(
            "optoutgate.mo.carrier_time_ahead",
            () => Volatile.Read(ref _carrierTimeAhead),
            "{message}",
            "MO messages whose carrier time was later than the gate's clock when received; their event time is the receive time.");
        _importLines = _meter.CreateCounter<long>("optoutgate.mo.import.lines", "{line}", "ImportOptOuts lines, by outcome (added, already_present, invalid) and dry run.");
        _meter.CreateObservableGauge("optoutgate.mo.review_queue.size", () => _reviewQueue is { } q ? q().Count : 0, "{item}", "Open review items (AMBIGUOUS MO under the REVIEW policy).");
        _meter.CreateObservableGauge(
            "optoutgate.mo.review_queue.oldest_age",
            () =>
            {
                if (_reviewQueue is not { } q)
                {
                    return 0.0;
                }

                var (count, oldest) = q();
                return count == 0 ? 0.0 : Math.Max(0, (time.GetUtcNow().UtcDateTime - oldest).TotalSeconds);
            },
            "s",
            "Age of the oldest open review item (0 when the queue is empty).");
    }

    /// <summary>Where the review-queue gauges read from (the ledger, once it is loaded).</summary>
    public void ObserveReviewQueue(Func<(int Count, DateTime Oldest)> reviewQueue) => _reviewQueue = reviewQueue;

    public void Recorded(MoAction action, TimeSpan elapsed)
    {
        _messages.Add(1, s_actionTags[(int)action]);
        if (action == MoAction.Duplicate)
        {
            _duplicates.Add(1);
        }

        _duration.Record(elapsed.TotalSeconds);
    }

    public void Failed() => _errors.Add(1);

    public void CarrierTimeAhead() => Interlocked.Increment(ref _carrierTimeAhead);

    public void Classified(TimeSpan elapsed) => _classification.Record(elapsed.TotalSeconds);

    public void Imported(long added, long alreadyPresent, long invalid, bool dryRun)
    {
        var mode = new KeyValuePair<string, object?>("dry_run", dryRun ? "true" : "false");
        _importLines.Add(added, new KeyValuePair<string, object?>("outcome", "added"), mode);
        _importLines.Add(alreadyPresent, new KeyValuePair<string, object?>("outcome", "already_present"), mode);
        _importLines.Add(invalid, new KeyValuePair<string, object?>("outcome", "invalid"), mode);
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?>[][] CreateActionTags()
    {
        var tags = new KeyValuePair<string, object?>[(int)MoAction.Superseded + 1][];
        for (var action = MoAction.Unspecified; action <= MoAction.Superseded; action++)
        {
            var name = action.ToString().ToUpperInvariant();
            tags[(int)action] = [new("action", action switch
            {
                MoAction.OptedOut => "OPTED_OUT",
                MoAction.OptedIn => "OPTED_IN",
                _ => name,
            })];
        }

        return tags;
    }
}
