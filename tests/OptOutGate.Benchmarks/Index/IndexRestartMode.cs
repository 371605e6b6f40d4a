using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using FASTER.core;
using Microsoft.Extensions.Logging;
using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Benchmarks.Index;

/// <summary>
/// <c>restart --entries N [--type foldover|snapshot] [--cold]</c>: builds N entries, takes a checkpoint, disposes the
/// index, then times <see cref="EntryIndex.Recover"/> until the first lookup answers, and one 1,000-recipient batch
/// after it. <c>--cold</c> first drops the index's files from the OS page cache (posix_fadvise DONTNEED), as after a
/// reboot; without it the files are cached, as after a process restart.
/// </summary>
internal static partial class IndexRestartMode
{
    public static int Run(string[] args)
    {
        var entries = ModeArguments.Long(args, "--entries", 10_000_000);
        var type = ModeArguments.Text(args, "--type", "foldover") == "snapshot" ? CheckpointType.Snapshot : CheckpointType.FoldOver;
        var cold = ModeArguments.Flag(args, "--cold");
        var directory = IndexDataset.TemporaryDirectory("restart");
        using var loggers = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true));
        var logger = loggers.CreateLogger("index");
        var options = new EntryIndexOptions { Directory = directory, ExpectedEntries = entries, CheckpointType = type };
        try
        {
            var started = Stopwatch.GetTimestamp();
            Guid token;
            using (var index = EntryIndex.Create(options, logger))
            {
                for (long i = 0; i < entries; i++)
                {
                    index.Upsert(IndexDataset.KeyOf(IndexDataset.Member(i)), EntryValue.Create((ulong)i + 1, 0b111, 1));
                }

                Print("build seconds", Stopwatch.GetElapsedTime(started).TotalSeconds);
                started = Stopwatch.GetTimestamp();
                token = index.TakeCheckpoint();
                Print("checkpoint seconds (" + type + ")", Stopwatch.GetElapsedTime(started).TotalSeconds);
            }

            Print("bytes on disk", DirectorySize(directory));
            if (cold)
            {
                DropFromPageCache(directory);
            }

            started = Stopwatch.GetTimestamp();
            var cpu = ThreadCpuClock.NowNanoseconds();
            using var recovered = EntryIndex.Recover(options, token, logger);
            var probe = IndexDataset.Member(entries / 2);
            var found = recovered.MayContainRecipient(probe) && recovered.TryGet(IndexDataset.KeyOf(probe), out _);
            Print("recover until the first lookup answers, seconds", Stopwatch.GetElapsedTime(started).TotalSeconds);
            Print("  of which CPU time of the recovering thread, seconds", (ThreadCpuClock.NowNanoseconds() - cpu) / 1e9);

            var batch = IndexDataset.Batches(entries, 1, 1000, hitPercent: 2, seed: 3)[0];
            var maybe = new bool[batch.Length];
            started = Stopwatch.GetTimestamp();
            var hits = 0;
            using (var reader = recovered.RentReader())
            {
                reader.MayContainRecipients(batch, maybe);
                for (var i = 0; i < batch.Length; i++)
                {
                    if (maybe[i] && reader.TryGet(IndexDataset.KeyOf(batch[i]), out _))
                    {
                        hits++;
                    }
                }
            }

            Print("first 1,000-recipient batch after recovery, microseconds", Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            Print("first lookup found its entry (1 = yes)", found ? 1 : 0);
            Print("hits in the batch (expect 20)", hits);
            Print("live entries after recovery", recovered.Count);
            return found && recovered.Count == entries ? 0 : 1;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    internal static long DirectorySize(string directory)
    {
        long total = 0;
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            total += new FileInfo(file).Length;
        }

        return total;
    }

    private static void DropFromPageCache(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            using var handle = File.OpenHandle(file);
            _ = PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, 4 /* POSIX_FADV_DONTNEED */);
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);

    private static void Print(string name, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-60} {value,16:N3}"));
}
