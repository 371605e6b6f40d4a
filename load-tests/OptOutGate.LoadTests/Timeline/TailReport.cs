using System.Globalization;
using System.Text;
using OptOutGate.LoadTests.Reporting;

namespace OptOutGate.LoadTests.Timeline;

/// <summary>
/// Where the tail's time goes, hop by hop: each hop's percentiles over every joined call, then, for the calls at or
/// over the p99 (from the slot, and from the send), each hop's mean and share of their latency, which hop was the
/// largest in each of them, and how many had a GC pause in the gate or the client during them.
/// </summary>
internal static class TailReport
{
    public static string Format(IReadOnlyList<CallPath> paths, int missing)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"calls joined: {paths.Count} ({missing} OK calls without the gate's records)");
        if (paths.Count == 0)
        {
            return text.ToString();
        }

        text.AppendLine(c, $"from the slot: {Percentiles(paths.Select(static p => p.Total))}");
        text.AppendLine(c, $"from the send: {Percentiles(paths.Select(static p => p.FromSend))}");
        text.AppendLine();
        text.AppendLine("hop                 p50        p90        p99        p99.9      what it covers");
        for (var h = 0; h < CallPath.Hops.Length; h++)
        {
            var sorted = paths.Select(p => p.Hop(h)).Order().ToArray();
            text.AppendLine(c, $"{CallPath.Hops[h].Name,-19} {Ms(LoadReport.Percentile(sorted, 50)),-10} {Ms(LoadReport.Percentile(sorted, 90)),-10} {Ms(LoadReport.Percentile(sorted, 99)),-10} {Ms(LoadReport.Percentile(sorted, 99.9)),-10} {CallPath.Hops[h].Covers}");
        }

        // The write returns after the gate may already have read the bytes (on the other core), so it is not a moment
        // of the chain; beside it, it tells the client's own part of "to Kestrel".
        text.AppendLine(c, $"(the client's write, within \"to Kestrel\": {Percentiles(paths.Where(static p => p.ClientWrite > 0).Select(static p => p.ClientWrite))})");
        Tail(text, "the calls at or over the p99 from the slot", paths, static p => p.Total, firstHop: 0);
        Tail(text, "the calls at or over the p99 from the send", paths, static p => p.FromSend, firstHop: CallPath.FirstHopFromSend);
        return text.ToString();
    }

    private static void Tail(StringBuilder text, string title, IReadOnlyList<CallPath> paths, Func<CallPath, long> latency, int firstHop)
    {
        var c = CultureInfo.InvariantCulture;
        var p99 = LoadReport.Percentile(paths.Select(latency).Order().ToArray(), 99);
        var tail = paths.Where(p => latency(p) >= p99).ToList();
        var mean = tail.Average(p => (double)latency(p));
        text.AppendLine();
        text.AppendLine(c, $"{title} ({Ms(p99)}): {tail.Count} calls, mean {Ms((long)mean)}");
        text.AppendLine("hop                 mean       share   largest in");
        var largest = tail.GroupBy(p => Enumerable.Range(firstHop, CallPath.Hops.Length - firstHop).MaxBy(p.Hop)).ToDictionary(static g => g.Key, static g => g.Count());
        for (var h = firstHop; h < CallPath.Hops.Length; h++)
        {
            var hopMean = tail.Average(p => (double)p.Hop(h));
            text.AppendLine(c, $"{CallPath.Hops[h].Name,-19} {Ms((long)hopMean),-10} {hopMean / mean,6:P1}  {largest.GetValueOrDefault(h)}");
        }

        var gatePaused = tail.Where(static p => p.GatePause > 0).ToList();
        var clientPaused = tail.Where(static p => p.ClientPause > 0).ToList();
        var pausedBeforeSend = tail.Where(static p => p.ClientPauseBeforeSend > 0).ToList();
        text.AppendLine(c, $"GC: {gatePaused.Count} with a gate pause during the request (mean {Ms(gatePaused.Count == 0 ? 0 : (long)gatePaused.Average(static p => p.GatePause))}), "
            + $"{clientPaused.Count} with a client pause during the call (mean {Ms(clientPaused.Count == 0 ? 0 : (long)clientPaused.Average(static p => p.ClientPause))}); "
            + $"{pausedBeforeSend.Count} with a client pause since the previous send (mean {Ms(pausedBeforeSend.Count == 0 ? 0 : (long)pausedBeforeSend.Average(static p => p.ClientPauseBeforeSend))}); "
            + $"of all calls {Share(paths, static p => p.GatePause > 0)}, {Share(paths, static p => p.ClientPause > 0)} and {Share(paths, static p => p.ClientPauseBeforeSend > 0)}");
    }

    private static string Percentiles(IEnumerable<long> values)
    {
        var sorted = values.Order().ToArray();
        return $"p50 {Ms(LoadReport.Percentile(sorted, 50))}, p90 {Ms(LoadReport.Percentile(sorted, 90))}, p99 {Ms(LoadReport.Percentile(sorted, 99))}, p99.9 {Ms(LoadReport.Percentile(sorted, 99.9))}";
    }

    private static string Share(IReadOnlyList<CallPath> paths, Func<CallPath, bool> predicate) =>
        ((double)paths.Count(predicate) / paths.Count).ToString("P2", CultureInfo.InvariantCulture);

    /// <summary>Milliseconds with three decimals: the hops run from microseconds to milliseconds.</summary>
    private static string Ms(long nanos) => (nanos / 1_000_000.0).ToString("0.000", CultureInfo.InvariantCulture) + " ms";
}
