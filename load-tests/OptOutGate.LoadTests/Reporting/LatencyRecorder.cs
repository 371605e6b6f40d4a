using System.Diagnostics;
using OptOutGate.Rpc;

namespace OptOutGate.LoadTests;

/// <summary>
/// One worker's measurements. Each worker has its own, so recording needs no lock and shares no cache line; the
/// report merges them after the run.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly Dictionary<string, int> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<StatusCode, int> _codes = [];

    public IReadOnlyDictionary<string, int> Errors => _errors;

    public IReadOnlyDictionary<StatusCode, int> Codes => _codes;

    /// <summary>Latencies of all calls (OK or not) in <see cref="Stopwatch"/> ticks, as ghz counts them.</summary>
    public List<long> AllTicks { get; } = new(capacity: 64 * 1024);

    public void RecordOk(long elapsedTicks)
    {
        AllTicks.Add(elapsedTicks);
        Count(StatusCode.OK);
    }

    public void RecordError(long elapsedTicks, Status status)
    {
        AllTicks.Add(elapsedTicks);
        Count(status.Code);
        var key = $"rpc error: code = {status.Code} desc = {status.Detail}";
        _errors[key] = _errors.GetValueOrDefault(key) + 1;
    }

    private void Count(StatusCode code) => _codes[code] = _codes.GetValueOrDefault(code) + 1;
}
