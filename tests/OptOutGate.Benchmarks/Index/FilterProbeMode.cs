using System.Diagnostics;
using System.Globalization;
using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Benchmarks.Index;

/// <summary>
/// <c>filter --entries N [--expected E]</c>: the recipient filter alone, without FASTER, so that its sizing and memory
/// can be compared in seconds instead of the minutes a full index of 100 million entries takes: a filter sized for
/// E recipients (default N) gets N, then four rounds of 4,096 batches of 1,000 recipients at 2 % members are probed
/// as CheckBatch probes them (MayContainMany), in wall and thread-CPU ns per recipient. <c>--expected</c> above N
/// gives a larger table at the same N (a lower load).
/// </summary>
internal static class FilterProbeMode
{
    public static int Run(string[] args)
    {
        var entries = ModeArguments.Long(args, "--entries", 100_000_000);
        var filter = new RecipientFilter(ModeArguments.Long(args, "--expected", entries));
        for (long i = 0; i < entries; i++)
        {
            filter.Add(IndexDataset.Member(i));
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"filter: {entries:N0} recipients, {filter.Capacity:N0} slots ({filter.SizeInBytes >> 20:N0} MiB), load {(double)filter.Count / filter.Capacity:P1}"));
        // What the applier pays when the table outgrows its summary, and a restart when it loads the table.
        var build = Stopwatch.GetTimestamp();
        var summary = RecipientSummary.Build(filter.Slots);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"summary: rebuilt from the table in {Stopwatch.GetElapsedTime(build).TotalMilliseconds:N0} ms ({summary.SizeInBytes >> 20:N0} MiB)"));

        var batches = IndexDataset.Batches(entries, 4096, 1000, hitPercent: 2, seed: 11);
        var recipients = batches.Length * 1000.0;
        var maybe = new bool[1000];
        for (var round = 1; round <= 4; round++)
        {
            var wall = Stopwatch.GetTimestamp();
            var cpu = ThreadCpuClock.NowNanoseconds();
            var found = 0;
            foreach (var batch in batches)
            {
                filter.MayContainMany(batch, maybe);
                found += maybe[0] ? 1 : 0;
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"round {round}: wall {Stopwatch.GetElapsedTime(wall).TotalNanoseconds / recipients,6:N1} ns/recipient  thread CPU {(ThreadCpuClock.NowNanoseconds() - cpu) / recipients,6:N1} ns  (first maybe {found})  load {File.ReadAllText("/proc/loadavg")[..14]}"));
        }

        return 0;
    }
}
