using System.Diagnostics;
using System.Globalization;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Benchmarks.Index;

/// <summary>
/// <c>lookup --entries N [--batches B]</c>: the IndexLookupBenchmarks paths timed by hand, in wall-clock and in thread
/// CPU time per recipient, for when the machine is too loaded for BenchmarkDotNet's wall-clock figures to mean much.
/// </summary>
internal static class IndexLookupMode
{
    public static int Run(string[] args)
    {
        var entries = ModeArguments.Long(args, "--entries", 10_000_000);
        var batchCount = (int)ModeArguments.Long(args, "--batches", 4096);
        var directory = IndexDataset.TemporaryDirectory("lookup-mode");
        try
        {
            using var index = IndexDataset.Build(directory, entries);
            var batches = IndexDataset.Batches(entries, batchCount, 1000, hitPercent: 2, seed: 11);
            var texts = Array.ConvertAll(batches, batch => Array.ConvertAll(batch, r => System.Text.Encoding.UTF8.GetBytes(E164.Format(r))));
            var plans = NumberingPlan.Table;
            var parsed = new ulong[1000];
            var maybe = new bool[1000];
            for (var round = 0; round < 3; round++)
            {
                Time("faster read every recipient", batches, batch =>
                {
                    var found = 0;
                    using var reader = index.RentReader();
                    foreach (var r in batch)
                    {
                        found += reader.TryGet(IndexDataset.KeyOf(r), out _) ? 1 : 0;
                    }

                    return found;
                });
                Time("filter batch then faster", batches, batch =>
                {
                    var found = 0;
                    using var reader = index.RentReader();
                    reader.MayContainRecipients(batch, maybe);
                    for (var i = 0; i < batch.Length; i++)
                    {
                        found += maybe[i] && reader.TryGet(IndexDataset.KeyOf(batch[i]), out _) ? 1 : 0;
                    }

                    return found;
                });
                // As the check does it: the keys of the "maybe" recipients prefetched (buckets, then records) before the reads.
                Time("filter, prefetch, faster", batches, batch => Lookup(index, batch, maybe));
                // The check path from the recipients' bytes (CheckBatchCodec parses them as it reads the request): E.164
                // digits alone, then with the numbering plan walked for the batch (KeepValid), each followed by the filter
                // and FASTER.
                Time("parse, filter batch then faster", texts, batch =>
                {
                    for (var i = 0; i < batch.Length; i++)
                    {
                        parsed[i] = E164.TryParseUtf8(batch[i], out var number) ? number : 0;
                    }

                    return Lookup(index, parsed, maybe);
                });
                Time("parse+plan, filter then faster", texts, batch =>
                {
                    for (var i = 0; i < batch.Length; i++)
                    {
                        parsed[i] = E164.TryParseUtf8(batch[i], out var number) ? number : 0;
                    }

                    plans.KeepValid(parsed);

                    return Lookup(index, parsed, maybe);
                });
                Time("filter batch only", batches, batch =>
                {
                    index.MayContainRecipients(batch, maybe);
                    return maybe[0] ? 1 : 0;
                });
            }

            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The check's lookup: the filter for the batch, hints for the "maybe" recipients' keys, then their reads.</summary>
    private static int Lookup(EntryIndex index, ulong[] recipients, bool[] maybe)
    {
        var found = 0;
        using var reader = index.RentReader();
        reader.MayContainRecipients(recipients, maybe);
        IndexDataset.PrefetchMaybes(index, recipients, maybe);
        for (var i = 0; i < recipients.Length; i++)
        {
            found += recipients[i] != 0 && maybe[i] && reader.TryGet(IndexDataset.KeyOf(recipients[i]), out _) ? 1 : 0;
        }

        return found;
    }

    private static void Time<TBatch>(string name, TBatch[] batches, Func<TBatch, int> run)
    {
        var sink = 0;
        var wall = Stopwatch.GetTimestamp();
        var cpu = ThreadCpuClock.NowNanoseconds();
        foreach (var batch in batches)
        {
            sink += run(batch);
        }

        Report(name, batches.Length, sink, wall, cpu);
    }

    private static void Report(string name, int batchCount, int sink, long wall, long cpu)
    {
        var cpuNs = (double)(ThreadCpuClock.NowNanoseconds() - cpu);
        var wallNs = Stopwatch.GetElapsedTime(wall).TotalNanoseconds;
        var recipients = batchCount * 1000.0;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-30} wall {wallNs / recipients,8:N1} ns/recipient   thread CPU {cpuNs / recipients,8:N1} ns/recipient   (found {sink})"));
    }
}
