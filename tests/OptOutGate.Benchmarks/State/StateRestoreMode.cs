using System.Diagnostics;
using System.Globalization;
using OptOutGate.Benchmarks.Index;
using OptOutGate.Engine.Storage.State;

namespace OptOutGate.Benchmarks.State;

/// <summary>
/// <c>state --entries N</c>: the state a checkpoint holds beside the index, at N recipients, as after an import of N
/// opt-outs at one sender (one history head and one open confirmation window per recipient): times applying it (what
/// a log replay does per record), saving it, and loading it back (what a restart from a checkpoint does), with the
/// managed heap after each step. Run it once per build to compare (tests/OptOutGate.Benchmarks/README.md).
/// </summary>
internal static class StateRestoreMode
{
    public static int Run(string[] args)
    {
        var entries = ModeArguments.Long(args, "--entries", 10_000_000);
        var directory = IndexDataset.TemporaryDirectory("state");
        var headsPath = Path.Combine(directory, "heads.bin");
        var configPath = Path.Combine(directory, "config.bin");
        try
        {
            var opened = new DateTime(2026, 11, 22, 12, 0, 0, DateTimeKind.Utc);
            var started = Stopwatch.GetTimestamp();
            var heads = new HistoryHeads();
            var config = new GateConfig();
            for (long i = 0; i < entries; i++)
            {
                var recipient = IndexDataset.Member(i);
                var sequence = (ulong)i + 1;
                heads.AdvanceRecipient(1, recipient, sequence);
                heads.AdvanceSender(1, "LOADTEST", sequence);
                config.OpenConfirmationWindow(new ConfirmationKey(recipient, 2, 1), opened.AddTicks(i), sequence);
            }

            Print("apply (heads + windows) seconds", Stopwatch.GetElapsedTime(started).TotalSeconds);
            Print("  per record, nanoseconds", Stopwatch.GetElapsedTime(started).TotalNanoseconds / entries);
            Print("managed heap after apply, MiB", Heap());

            started = Stopwatch.GetTimestamp();
            heads.Save(headsPath);
            config.Save(configPath);
            Print("save seconds", Stopwatch.GetElapsedTime(started).TotalSeconds);
            Print("files, MiB", (new FileInfo(headsPath).Length + new FileInfo(configPath).Length) / 1048576.0);
            heads = null;
            config = null;
            Print("managed heap before load, MiB", Heap());

            started = Stopwatch.GetTimestamp();
            var loadedHeads = HistoryHeads.Load(headsPath);
            Print("load heads seconds", Stopwatch.GetElapsedTime(started).TotalSeconds);
            var configStarted = Stopwatch.GetTimestamp();
            var loadedConfig = GateConfig.Load(configPath);
            Print("load config (windows) seconds", Stopwatch.GetElapsedTime(configStarted).TotalSeconds);
            Print("load both seconds", Stopwatch.GetElapsedTime(started).TotalSeconds);
            Print("managed heap after load, MiB", Heap());

            var probe = IndexDataset.Member(entries / 2);
            var ok = loadedHeads.GetRecipientHead(1, probe) == (ulong)(entries / 2) + 1
                && loadedConfig.TryGetConfirmationWindow(1, 2, probe, out var window) && window.OpenedBySequence == (ulong)(entries / 2) + 1
                && loadedConfig.ConfirmationWindowCount == entries;
            Print("state read back (1 = yes)", ok ? 1 : 0);
            GC.KeepAlive(loadedHeads);
            GC.KeepAlive(loadedConfig);
            return ok ? 0 : 1;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static double Heap()
    {
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
    }

    private static void Print(string name, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-60} {value,16:N3}"));
}
