using System.Diagnostics;
using System.Globalization;
using System.Text;
using OptOutGate.Rpc;

namespace OptOutGate.LoadTests;

/// <summary>The merged result of a run, printed in the layout of ghz's summary so the two can be read side by side.</summary>
internal sealed class LoadReport
{
    private static readonly double[] s_percentiles = [10, 25, 50, 75, 90, 95, 99];

    private readonly long[] _sortedTicks;
    private readonly Dictionary<StatusCode, int> _codes;
    private readonly Dictionary<string, int> _errors;
    private readonly TimeSpan _total;

    private LoadReport(long[] sortedTicks, Dictionary<StatusCode, int> codes, Dictionary<string, int> errors, TimeSpan total)
    {
        _sortedTicks = sortedTicks;
        _codes = codes;
        _errors = errors;
        _total = total;
    }

    public int Count => _sortedTicks.Length;

    public double CallsPerSecond => _total > TimeSpan.Zero ? Count / _total.TotalSeconds : 0;

    public static LoadReport From(IReadOnlyList<LatencyRecorder> recorders, TimeSpan total)
    {
        var all = new List<long>();
        var codes = new Dictionary<StatusCode, int>();
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var recorder in recorders)
        {
            all.AddRange(recorder.AllTicks);
            foreach (var (code, n) in recorder.Codes)
            {
                codes[code] = codes.GetValueOrDefault(code) + n;
            }

            foreach (var (text, n) in recorder.Errors)
            {
                errors[text] = errors.GetValueOrDefault(text) + n;
            }
        }

        var sorted = all.ToArray();
        Array.Sort(sorted);
        return new LoadReport(sorted, codes, errors, total);
    }

    /// <summary>The latency at <paramref name="percentile"/> (nearest rank), over all counted calls.</summary>
    public TimeSpan Percentile(double percentile)
    {
        if (_sortedTicks.Length == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * _sortedTicks.Length) - 1;
        return Ticks(_sortedTicks[Math.Clamp(rank, 0, _sortedTicks.Length - 1)]);
    }

    public string Format()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine().AppendLine("Summary:");
        sb.Append(c, $"  Count:\t{Count}\n");
        sb.Append(c, $"  Total:\t{Ms(_total)}\n");
        if (Count > 0)
        {
            sb.Append(c, $"  Slowest:\t{Ms(Ticks(_sortedTicks[^1]))}\n");
            sb.Append(c, $"  Fastest:\t{Ms(Ticks(_sortedTicks[0]))}\n");
            sb.Append(c, $"  Average:\t{Ms(Ticks((long)_sortedTicks.Average()))}\n");
        }

        sb.Append(c, $"  Requests/sec:\t{CallsPerSecond:0.00}\n");
        sb.AppendLine().AppendLine("Latency distribution:");
        foreach (var p in s_percentiles)
        {
            sb.Append(c, $"  {p} % in {Ms(Percentile(p))} \n");
        }

        sb.Append(c, $"  max in {Ms(Percentile(100))} \n");
        sb.AppendLine().AppendLine("Status code distribution:");
        foreach (var (code, n) in _codes.OrderBy(static kv => kv.Key))
        {
            sb.Append(c, $"  [{code}]\t{n} responses\n");
        }

        if (_errors.Count > 0)
        {
            sb.AppendLine().AppendLine("Error distribution:");
            foreach (var (text, n) in _errors.OrderByDescending(static kv => kv.Value))
            {
                sb.Append(c, $"  [{n}]\t{text}\n");
            }
        }

        return sb.AppendLine().ToString();
    }

    private static TimeSpan Ticks(long stopwatchTicks) => TimeSpan.FromSeconds((double)stopwatchTicks / Stopwatch.Frequency);

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture) + " ms";
}
