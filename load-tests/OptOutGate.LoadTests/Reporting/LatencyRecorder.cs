using System.Diagnostics;
using Grpc.Core;

namespace OptOutGate.LoadTests.Reporting;

/// <summary>
/// One worker's measurements. Each worker has its own, so recording needs no lock and shares no cache line; the
/// report merges them after the run. Only <see cref="Calls"/> is read by another thread (the progress line).
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly Dictionary<string, int> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<StatusCode, int> _codes = [];
    private readonly Dictionary<string, long> _counters = new(StringComparer.Ordinal);
    private int _calls;
    private int _failures;

    public IReadOnlyDictionary<string, int> Errors => _errors;

    public IReadOnlyDictionary<StatusCode, int> Codes => _codes;

    /// <summary>Scenario-specific tallies (MO actions, verdict mismatches...), printed under the summary.</summary>
    public IReadOnlyDictionary<string, long> Counters => _counters;

    /// <summary>Latencies of the OK calls in nanoseconds: ghz's fastest, slowest, histogram and percentiles use only these.</summary>
    public List<long> OkNanos { get; } = new(capacity: 16 * 1024);

    /// <summary>Sum of the latencies of all calls, OK or not, in nanoseconds: ghz's average divides it by the count.</summary>
    public long AllNanosSum { get; private set; }

    /// <summary>Recipients checked by OK calls (for Recipients/sec).</summary>
    public long Recipients { get; private set; }

    /// <summary>Stopwatch timestamp of the end of the last recorded call.</summary>
    public long LastEnded { get; private set; }

    /// <summary>Calls recorded so far, OK or not; safe to read from another thread.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Failed calls recorded so far; safe to read from another thread.</summary>
    public int Failures => Volatile.Read(ref _failures);

    public static long ToNanos(long stopwatchTicks) =>
        Stopwatch.Frequency == 1_000_000_000 ? stopwatchTicks : (long)((double)stopwatchTicks * 1_000_000_000 / Stopwatch.Frequency);

    public void RecordOk(long nanos, long recipients, long ended)
    {
        OkNanos.Add(nanos);
        AllNanosSum += nanos;
        Recipients += recipients;
        LastEnded = Math.Max(LastEnded, ended);
        Count(StatusCode.OK);
        Volatile.Write(ref _calls, _calls + 1);
    }

    public void RecordError(long nanos, Status status, long ended)
    {
        AllNanosSum += nanos;
        LastEnded = Math.Max(LastEnded, ended);
        Count(status.StatusCode);
        var key = GhzFormat.ErrorText(status);
        _errors[key] = _errors.GetValueOrDefault(key) + 1;
        Volatile.Write(ref _failures, _failures + 1);
        Volatile.Write(ref _calls, _calls + 1);
    }

    /// <summary>One call: an error with its status, or OK with its recipients and its tally.</summary>
    public void Record(long nanos, Status? failure, Running.CallResult result, long ended)
    {
        if (failure is { } status)
        {
            RecordError(nanos, status, ended);
            return;
        }

        RecordOk(nanos, result.Recipients, ended);
        if (result.Tag is { } tag)
        {
            Increment(tag);
        }
    }

    public void Increment(string counter, long by = 1) => _counters[counter] = _counters.GetValueOrDefault(counter) + by;

    private void Count(StatusCode code) => _codes[code] = _codes.GetValueOrDefault(code) + 1;
}
