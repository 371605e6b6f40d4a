using System.Diagnostics;
using System.Globalization;

namespace OptOutGate.Benchmarks.Index;

/// <summary>
/// <c>memory --entries N</c>: loads N entries into a fresh index and reports bytes per entry three ways: the process's
/// resident set (everything: FASTER's pinned pages and hash table, the filter, the runtime), the GC heap (FASTER's
/// log pages are pinned managed arrays, the filter is a managed array), and the index's own accounting.
/// </summary>
internal static class IndexMemoryMode
{
    public static int Run(string[] args)
    {
        var entries = ModeArguments.Long(args, "--entries", 10_000_000);
        var directory = IndexDataset.TemporaryDirectory("memory");
        try
        {
            var (rss0, gc0) = Measure();
            var started = Stopwatch.GetTimestamp();
            using var index = IndexDataset.Build(directory, entries);
            var buildSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var (rss1, gc1) = Measure();

            var own = index.LogBytesInMemory + index.IndexBytes + index.FilterBytes;
            Print("entries", entries);
            Print("build seconds", buildSeconds);
            Print("resident set delta, bytes/entry", (double)(rss1 - rss0) / entries);
            Print("GC heap delta, bytes/entry", (double)(gc1 - gc0) / entries);
            Print("index accounting (log in memory + hash index + filter), bytes/entry", (double)own / entries);
            Print("  FASTER log in memory, bytes/entry", (double)index.LogBytesInMemory / entries);
            Print("  FASTER hash index incl. overflow buckets, bytes/entry", (double)index.IndexBytes / entries);
            Print("  recipient filter, bytes/entry", (double)index.FilterBytes / entries);
            Print("live entries (Count)", index.Count);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static (long ResidentBytes, long GcBytes) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var gc = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (process.WorkingSet64, gc);
    }

    private static void Print(string name, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-75} {value,14:N1}"));
}
