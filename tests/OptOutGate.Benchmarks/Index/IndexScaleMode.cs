using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Benchmarks.Index;

/// <summary>
/// <c>scale --entries N [--batches B]</c> (default 100 million): one node's index at full size, built once and measured
/// in one process, because building 100M entries takes minutes: bytes per entry (target at most 64), lookup per
/// recipient at 2 % hits (target under 80 ns), a full checkpoint, and the restart from it until the first lookup
/// answers (target under 60 s), then the lookup again on the recovered index; with the machine's memory (total,
/// available, this process's resident set and its peak) and load average at each step. Progress is printed as it goes.
/// </summary>
internal static class IndexScaleMode
{
    private const int BatchSize = 1000;

    public static int Run(string[] args)
    {
        var entries = ModeArguments.Long(args, "--entries", 100_000_000);
        var batchCount = (int)ModeArguments.Long(args, "--batches", 4096);
        var directory = IndexDataset.TemporaryDirectory("scale");
        using var loggers = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        var logger = loggers.CreateLogger("index");
        var options = IndexDataset.Options(directory, entries);
        var failed = false;
        try
        {
            Machine("start");
            var (token, built) = BuildAndCheckpoint(options, entries, batchCount, logger);
            failed |= !built;
            Machine("index disposed");
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Machine("after a full collection");

            var restart = Stopwatch.GetTimestamp();
            var cpu = ThreadCpuClock.NowNanoseconds();
            using var recovered = EntryIndex.Recover(options, token, logger);
            var probe = IndexDataset.Member(entries - 1);
            var found = recovered.MayContainRecipient(probe) && recovered.TryGet(IndexDataset.KeyOf(probe), out _);
            var restartSeconds = Stopwatch.GetElapsedTime(restart).TotalSeconds;
            Print("restart: recover until the first lookup answers, seconds", restartSeconds);
            Print("  CPU time of the recovering thread, seconds", (ThreadCpuClock.NowNanoseconds() - cpu) / 1e9);
            Print("  live entries after recovery", recovered.Count);
            failed |= !Verdict("restart from the checkpoint < 60 s", restartSeconds < 60 && found && recovered.Count == entries);
            Machine("recovered");
            var recoveredNs = Lookups("recovered", recovered, IndexDataset.Batches(entries, batchCount, BatchSize, hitPercent: 2, seed: 12));
            failed |= !Verdict("lookup per recipient after the restart (wall) < 80 ns", recoveredNs < 80);
            Machine("end");
            return failed ? 1 : 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Builds the index, measures its memory and lookups, checkpoints it and disposes it. A method of its own so that
    /// nothing of the built index stays reachable from the caller's frame while the restart is measured (the first
    /// run kept it alive there: 10.4 GB resident after the recovery instead of about 5).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Guid Token, bool Met) BuildAndCheckpoint(EntryIndexOptions options, long entries, int batchCount, ILogger logger)
    {
        var rss0 = ResidentAfterCollect();
        using var index = EntryIndex.Create(options, logger);
        Print("index buckets (ExpectedEntries / 4, power of two)", options.IndexBuckets());
        Print("filter slots", index.Filter.Capacity);
        Build(index, entries);
        var met = Memory(index, entries, rss0);
        var lookupNs = Lookups("built", index, IndexDataset.Batches(entries, batchCount, BatchSize, hitPercent: 2, seed: 11));
        met &= Verdict("lookup per recipient (wall) < 80 ns", lookupNs < 80);

        var started = Stopwatch.GetTimestamp();
        var token = index.TakeCheckpoint();
        Print("checkpoint seconds", Stopwatch.GetElapsedTime(started).TotalSeconds);
        Print("checkpoint and log on disk, GB", IndexRestartMode.DirectorySize(options.Directory) / 1e9);
        return (token, met);
    }

    private static void Build(EntryIndex index, long entries)
    {
        var started = Stopwatch.GetTimestamp();
        var step = Math.Max(entries / 10, 1);
        for (long i = 0; i < entries; i++)
        {
            index.Upsert(IndexDataset.KeyOf(IndexDataset.Member(i)), EntryValue.Create((ulong)i + 1, 0b111, 1));
            if ((i + 1) % step == 0)
            {
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  built {i + 1,13:N0} entries in {seconds,7:N1} s ({(i + 1) / seconds,11:N0}/s), resident {Status("VmRSS") / 1e9,6:N2} GB, load {LoadAverage()}"));
            }
        }

        Print("build seconds", Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static bool Memory(EntryIndex index, long entries, long rss0)
    {
        var rss = ResidentAfterCollect();
        Print("entries (live)", index.Count);
        Print("resident set delta, bytes/entry (target <= 64)", (double)(rss - rss0) / entries);
        Print("index accounting (log in memory + hash index + filter), bytes/entry", (double)(index.LogBytesInMemory + index.IndexBytes + index.FilterBytes) / entries);
        Print("  FASTER log in memory, bytes/entry", (double)index.LogBytesInMemory / entries);
        Print("  FASTER hash index incl. overflow buckets, bytes/entry", (double)index.IndexBytes / entries);
        Print("  recipient filter, bytes/entry", (double)index.FilterBytes / entries);
        Print("  filter load (distinct fingerprints / slots)", (double)index.RecipientCount / index.Filter.Capacity);
        Machine("built");
        return Verdict("bytes per entry <= 64", (double)(rss - rss0) / entries <= 64);
    }

    /// <summary>Three rounds over every batch: the filter batch, hints for the "maybe" keys, then FASTER for each (the
    /// check path's lookup), and the filter alone. Returns the best round's wall ns per recipient of the first.</summary>
    private static double Lookups(string label, EntryIndex index, ulong[][] batches)
    {
        var maybe = new bool[BatchSize];
        var best = double.MaxValue;
        for (var round = 1; round <= 3; round++)
        {
            long found = 0;
            long maybes = 0;
            var wall = Stopwatch.GetTimestamp();
            var cpu = ThreadCpuClock.NowNanoseconds();
            foreach (var batch in batches)
            {
                using var reader = index.RentReader();
                reader.MayContainRecipients(batch, maybe);
                IndexDataset.PrefetchMaybes(index, batch, maybe);
                for (var i = 0; i < batch.Length; i++)
                {
                    if (maybe[i])
                    {
                        maybes++;
                        found += reader.TryGet(IndexDataset.KeyOf(batch[i]), out _) ? 1 : 0;
                    }
                }
            }

            var recipients = (double)batches.Length * BatchSize;
            var wallNs = Stopwatch.GetElapsedTime(wall).TotalNanoseconds / recipients;
            var cpuNs = (ThreadCpuClock.NowNanoseconds() - cpu) / recipients;
            best = Math.Min(best, wallNs);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"lookup ({label}, round {round}): filter, prefetch, FASTER  wall {wallNs,6:N1} ns/recipient  thread CPU {cpuNs,6:N1} ns  hits {found / recipients:P2}  filter maybe {maybes / recipients:P2}  load {LoadAverage()}"));

            wall = Stopwatch.GetTimestamp();
            cpu = ThreadCpuClock.NowNanoseconds();
            foreach (var batch in batches)
            {
                index.MayContainRecipients(batch, maybe);
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"lookup ({label}, round {round}): filter batch only          wall {Stopwatch.GetElapsedTime(wall).TotalNanoseconds / recipients,6:N1} ns/recipient  thread CPU {(ThreadCpuClock.NowNanoseconds() - cpu) / recipients,6:N1} ns"));
        }

        return best;
    }

    private static long ResidentAfterCollect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Status("VmRSS");
    }

    /// <summary>The machine's memory and this process's, from /proc (Linux).</summary>
    private static void Machine(string moment) =>
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"memory ({moment}): machine total {MemInfo("MemTotal") / 1e9:N1} GB, available {MemInfo("MemAvailable") / 1e9:N1} GB; this process resident {Status("VmRSS") / 1e9:N2} GB, peak {Status("VmHWM") / 1e9:N2} GB; managed heap {GC.GetTotalMemory(false) / 1e9:N2} GB; load {LoadAverage()}"));

    private static long Status(string field) => ProcField("/proc/self/status", field);

    private static long MemInfo(string field) => ProcField("/proc/meminfo", field);

    /// <summary>A "Name:   1234 kB" line of a /proc file, in bytes; 0 where there is none (not Linux).</summary>
    private static long ProcField(string path, string field)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var parts = line[(field.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "n/a";

    private static bool Verdict(string target, bool met)
    {
        Console.WriteLine($"target: {target}: {(met ? "met" : "NOT met")}");
        return met;
    }

    private static void Print(string name, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-72} {value,16:N3}"));
}
