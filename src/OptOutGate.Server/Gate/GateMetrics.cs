using System.Diagnostics.Metrics;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;

namespace OptOutGate.Server.Gate;

/// <summary>
/// Meter "OptOutGate.Gate": recipients checked by verdict, batch sizes and check durations. Counters are added once per
/// batch from its counts (seven adds at most), never per recipient.
/// </summary>
internal sealed class GateMetrics : IDisposable
{
    public const string MeterName = "OptOutGate.Gate";

    private static readonly KeyValuePair<string, object?>[][] s_verdictTags = CreateVerdictTags();

    private readonly Meter _meter;
    private readonly Counter<long> _checks;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _duration;

    public GateMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _checks = _meter.CreateCounter<long>("optoutgate.gate.checks", "{recipient}", "Recipients checked, by verdict.");
        _batchSize = _meter.CreateHistogram(
            "optoutgate.gate.batch.size",
            "{recipient}",
            "Recipients per checked batch.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 10, 100, 500, 1_000, 2_000, 5_000, 10_000] });
        _duration = _meter.CreateHistogram(
            "optoutgate.gate.check.duration",
            "s",
            "Time to check one batch, from a validated request to its verdicts (min_sequence waits excluded).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05] });
    }

    public void BatchChecked(in CheckCounts counts, int batchSize, TimeSpan elapsed)
    {
        if (_checks.Enabled)
        {
            for (var verdict = Verdict.Allowed; verdict <= Verdict.BlockedConfirmation; verdict++)
            {
                var count = counts[verdict];
                if (count != 0)
                {
                    _checks.Add(count, s_verdictTags[(int)verdict]);
                }
            }
        }

        _batchSize.Record(batchSize);
        _duration.Record(elapsed.TotalSeconds);
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?>[][] CreateVerdictTags()
    {
        var tags = new KeyValuePair<string, object?>[(int)Verdict.BlockedConfirmation + 1][];
        for (var verdict = Verdict.Unspecified; verdict <= Verdict.BlockedConfirmation; verdict++)
        {
            tags[(int)verdict] = [new("verdict", VerdictName(verdict))];
        }

        return tags;
    }

    private static string VerdictName(Verdict verdict) => verdict switch
    {
        Verdict.Allowed => "allowed",
        Verdict.AllowedBypass => "allowed_bypass",
        Verdict.BlockedOptedOut => "blocked_opted_out",
        Verdict.BlockedTenantOptOut => "blocked_tenant_opt_out",
        Verdict.BlockedSuppressed => "blocked_suppressed",
        Verdict.InvalidRecipient => "invalid_recipient",
        Verdict.BlockedConfirmation => "blocked_confirmation",
        _ => "unspecified",
    };
}
