using System.Globalization;
using System.Text;
using Grpc.Core;

namespace OptOutGate.LoadTests.Reporting;

/// <summary>
/// The merged result of a run, computed and printed the way ghz does it (runner/reporter.go, printer/printer.go):
/// Count, Average and Requests/sec include failed calls; Fastest, Slowest, the histogram and the percentiles use only
/// OK calls. Two additions: Recipients/sec (recipients answered by OK calls per second of Total) and the 99.9th
/// percentile, computed with ghz's own nearest-rank rule.
/// </summary>
internal sealed class LoadReport
{
    /// <summary>ghz's percentiles (10 ... 99) plus 99.9.</summary>
    public static readonly double[] Percentages = [10, 25, 50, 75, 90, 95, 99, 99.9];

    private LoadReport(
        string name, long[] sortedOkNanos, long count, long allNanosSum, long recipients, TimeSpan total,
        Dictionary<StatusCode, int> codes, Dictionary<string, int> errors, Dictionary<string, long> counters)
    {
        Name = name;
        SortedOkNanos = sortedOkNanos;
        Count = count;
        Recipients = recipients;
        Total = total;
        Codes = codes;
        Errors = errors;
        Counters = counters;
        AverageNanos = count > 0 ? allNanosSum / count : 0;
    }

    public string Name { get; }

    /// <summary>Completed calls, OK or not (ghz's Count).</summary>
    public long Count { get; }

    public long Recipients { get; }

    /// <summary>The measured wall time (ghz's Total).</summary>
    public TimeSpan Total { get; }

    public long[] SortedOkNanos { get; }

    public long AverageNanos { get; }

    public long FastestNanos => SortedOkNanos.Length > 0 ? SortedOkNanos[0] : 0;

    public long SlowestNanos => SortedOkNanos.Length > 0 ? SortedOkNanos[^1] : 0;

    /// <summary>Count / Total, failed calls included, as ghz computes Requests/sec.</summary>
    public double Rps => Total > TimeSpan.Zero ? Count / Total.TotalSeconds : 0;

    public double RecipientsPerSecond => Total > TimeSpan.Zero ? Recipients / Total.TotalSeconds : 0;

    public IReadOnlyDictionary<StatusCode, int> Codes { get; }

    public IReadOnlyDictionary<string, int> Errors { get; }

    public IReadOnlyDictionary<string, long> Counters { get; }

    /// <summary>Extra "Label:\tvalue" lines printed under Requests/sec (for example the target a figure is held against).</summary>
    public List<(string Label, string Value)> Notes { get; } = [];

    /// <summary>Whether Recipients/sec is printed (checks, not MO or health calls).</summary>
    public bool CountsRecipients { get; init; }

    public static LoadReport From(string name, IEnumerable<LatencyRecorder> recorders, TimeSpan total, bool countsRecipients = false)
    {
        var ok = new List<long>();
        long count = 0;
        long sum = 0;
        long recipients = 0;
        var codes = new Dictionary<StatusCode, int>();
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var recorder in recorders)
        {
            ok.AddRange(recorder.OkNanos);
            count += recorder.Calls;
            sum += recorder.AllNanosSum;
            recipients += recorder.Recipients;
            Merge(codes, recorder.Codes);
            Merge(errors, recorder.Errors);
            foreach (var (key, n) in recorder.Counters)
            {
                counters[key] = counters.GetValueOrDefault(key) + n;
            }
        }

        var sorted = ok.ToArray();
        Array.Sort(sorted);
        return new LoadReport(name, sorted, count, sum, recipients, total, codes, errors, counters) { CountsRecipients = countsRecipients };
    }

    /// <summary>
    /// ghz's nearest rank: <c>ip = p/100 * n; i = (int)ip; if ip is whole: i--</c>; the value at <c>sorted[i]</c>.
    /// Computed in double like ghz's Go code so that both pick the same element.
    /// </summary>
    public static long Percentile(long[] sorted, double percentage)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        var ip = percentage / 100.0 * sorted.Length;
        var i = (int)ip;
        if (ip == i)
        {
            i--;
        }

        return sorted[Math.Clamp(i, 0, sorted.Length - 1)];
    }

    /// <summary>
    /// ghz's histogram: marks at fastest + k*(slowest-fastest)/10 for k = 0..9 and a last mark at slowest (11 rows);
    /// each sorted latency goes to the first mark it does not exceed. Marks are in seconds, like ghz's JSON.
    /// </summary>
    public static (double Mark, int Count, double Frequency)[] Histogram(long[] sorted)
    {
        if (sorted.Length == 0)
        {
            return [];
        }

        const int Buckets = 10;
        var fastest = sorted[0] / 1e9;
        var slowest = sorted[^1] / 1e9;
        var marks = new double[Buckets + 1];
        var counts = new int[Buckets + 1];
        var width = (slowest - fastest) / Buckets;
        for (var i = 0; i < Buckets; i++)
        {
            marks[i] = fastest + (width * i);
        }

        marks[Buckets] = slowest;
        var b = 0;
        for (var i = 0; i < sorted.Length;)
        {
            if (sorted[i] / 1e9 <= marks[b])
            {
                counts[b]++;
                i++;
            }
            else if (b < Buckets)
            {
                b++;
            }
            else
            {
                // Rounding can leave the slowest a hair above the last mark; ghz's loop would spin, we count it.
                counts[b]++;
                i++;
            }
        }

        var result = new (double, int, double)[Buckets + 1];
        for (var i = 0; i <= Buckets; i++)
        {
            result[i] = (marks[i], counts[i], (double)counts[i] / sorted.Length);
        }

        return result;
    }

    /// <summary>ghz's bar length: <c>(count*40 + max/2) / max</c> characters of ∎.</summary>
    public static int BarLength(int count, int max) => max > 0 ? ((count * 40) + (max / 2)) / max : 0;

    /// <summary>The summary in ghz's layout (printer/template.go), with Recipients/sec and 99.9 % added.</summary>
    public string Format()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("\nSummary:\n");
        if (Name.Length > 0)
        {
            sb.Append(c, $"  Name:\t\t{Name}\n");
        }

        sb.Append(c, $"  Count:\t{Count}\n");
        sb.Append(c, $"  Total:\t{GhzFormat.NanoUnit(Total.Ticks * 100)}\n");
        sb.Append(c, $"  Slowest:\t{GhzFormat.NanoUnit(SlowestNanos)}\n");
        sb.Append(c, $"  Fastest:\t{GhzFormat.NanoUnit(FastestNanos)}\n");
        sb.Append(c, $"  Average:\t{GhzFormat.NanoUnit(AverageNanos)}\n");
        sb.Append(c, $"  Requests/sec:\t{GhzFormat.Fixed(Rps, 2, 4)}\n");
        if (CountsRecipients)
        {
            sb.Append(c, $"  Recipients/sec:\t{GhzFormat.Fixed(RecipientsPerSecond, 2, 4)}\n");
        }

        foreach (var (label, value) in Notes)
        {
            sb.Append(c, $"  {label}:\t{value}\n");
        }

        sb.Append("\nResponse time histogram:\n");
        var buckets = Histogram(SortedOkNanos);
        var max = buckets.Length == 0 ? 0 : buckets.Max(static b => b.Count);
        foreach (var (mark, count, _) in buckets)
        {
            sb.Append(c, $"  {GhzFormat.Fixed(mark * 1000, 3, 4)} [{count}]\t|{new string('∎', BarLength(count, max))}\n");
        }

        sb.Append("\nLatency distribution:");
        if (SortedOkNanos.Length > 0)
        {
            foreach (var p in Percentages)
            {
                sb.Append(c, $"\n  {p.ToString(c)} % in {GhzFormat.NanoUnit(Percentile(SortedOkNanos, p))} ");
            }
        }

        sb.Append("\n\n");
        if (Codes.Count > 0)
        {
            sb.Append("Status code distribution:\n");
            var rows = Codes.OrderByDescending(static kv => kv.Value)
                .Select(kv => ($"  [{GhzFormat.StatusName(kv.Key)}]", $"{kv.Value.ToString(c)} responses")).ToList();
            sb.Append(GhzFormat.TabAligned(rows));
        }

        sb.Append('\n');
        if (Errors.Count > 0)
        {
            sb.Append("Error distribution:\n");
            var rows = Errors.OrderByDescending(static kv => kv.Value).Select(kv => ($"  [{kv.Value.ToString(c)}]", kv.Key)).ToList();
            sb.Append(GhzFormat.TabAligned(rows));
        }

        if (Counters.Count > 0)
        {
            sb.Append("\nTallies:\n");
            var rows = Counters.OrderBy(static kv => kv.Key, StringComparer.Ordinal).Select(kv => ($"  [{kv.Key}]", kv.Value.ToString(c))).ToList();
            sb.Append(GhzFormat.TabAligned(rows));
        }

        return sb.Append('\n').ToString();
    }

    private static void Merge<TKey>(Dictionary<TKey, int> into, IReadOnlyDictionary<TKey, int> from)
        where TKey : notnull
    {
        foreach (var (key, n) in from)
        {
            into[key] = into.GetValueOrDefault(key) + n;
        }
    }
}
