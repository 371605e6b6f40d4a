using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Benchmarks.Durability;

/// <summary>
/// Change log workloads measured for a fixed time (durable appends are milliseconds each, so BenchmarkDotNet's
/// repeated invocations add little): concurrent appenders, and opening a large log.
/// </summary>
internal static class ChangeLogWorkload
{
    /// <summary>A record like an MO opt-out: about 200 bytes serialized with its frame.</summary>
    public static LogEntry Record(int i) => new()
    {
        Record = new ChangeRecord
        {
            TenantId = "tenant-0001",
            Sender = "+14155550000",
            Recipient = "+1415" + (5550000 + (i % 1_000_000)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            App = "marketing",
            Action = ChangeAction.OptOut,
            Scope = Scope.Sender,
            Source = Source.MoKeyword,
            MoText = "STOP sending me these messages please",
            CarrierMessageId = "SM" + i.ToString("D30", System.Globalization.CultureInfo.InvariantCulture),
            MatchedKeyword = "stop",
            ActorKeyId = "key-mo-01",
            EventTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(1_770_000_000 + i)),
        },
        PreviousForRecipient = (ulong)i,
        PreviousForSender = (ulong)i,
    };

    public sealed record AppendResult(int Appenders, int RecordsPerAppend, long Appends, long Records, long Commits, TimeSpan Elapsed, double P50Ms, double P99Ms)
    {
        public double AppendsPerSecond => Appends / Elapsed.TotalSeconds;

        public double RecordsPerSecond => Records / Elapsed.TotalSeconds;

        public override string ToString() =>
            $"appenders={Appenders,4} records/append={RecordsPerAppend} appends/s={AppendsPerSecond,9:F0} acked records/s={RecordsPerSecond,9:F0} " +
            $"commits/s={Commits / Elapsed.TotalSeconds,6:F0} records/commit={(double)Records / Math.Max(1, Commits),6:F1} append p50={P50Ms:F2} ms p99={P99Ms:F2} ms";
    }

    /// <summary>
    /// <paramref name="appenders"/> tasks append (and wait for the commit of) <paramref name="recordsPerAppend"/>
    /// records at a time, for <paramref name="duration"/> after a one-second warm-up.
    /// </summary>
    public static async Task<AppendResult> AppendAsync(string directory, int appenders, int recordsPerAppend, TimeSpan duration)
    {
        long commits = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ChangeLogMetrics.MeterName && instrument.Name == "optoutgate_log_commits")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref commits, value));
        listener.Start();

        await using var log = await ChangeLog.OpenAsync(new ChangeLogOptions { Directory = directory }, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        var measuring = 0;
        var stop = 0;
        long appends = 0;
        var latencies = new List<double>[appenders];
        var tasks = new Task[appenders];
        for (var a = 0; a < appenders; a++)
        {
            var mine = latencies[a] = new List<double>(100_000);
            var seed = a * 1_000_000;
            tasks[a] = Task.Run(async () =>
            {
                var batch = new LogEntry[recordsPerAppend];
                var i = seed;
                while (Volatile.Read(ref stop) == 0)
                {
                    for (var r = 0; r < batch.Length; r++)
                    {
                        batch[r] = Record(i++);
                    }

                    var start = Stopwatch.GetTimestamp();
                    await log.AppendAsync(batch, null, CancellationToken.None);
                    if (Volatile.Read(ref measuring) == 1)
                    {
                        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        Interlocked.Increment(ref appends);
                    }
                }
            });
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        Interlocked.Exchange(ref commits, 0);
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref measuring, 1);
        await Task.Delay(duration);
        Volatile.Write(ref measuring, 0);
        var elapsed = clock.Elapsed;
        var commitCount = Interlocked.Read(ref commits);
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(tasks);

        var all = latencies.SelectMany(l => l).Order().ToArray();
        var done = Interlocked.Read(ref appends);
        return new AppendResult(appenders, recordsPerAppend, done, done * recordsPerAppend, commitCount, elapsed,
            all.Length == 0 ? 0 : all[all.Length / 2], all.Length == 0 ? 0 : all[(int)(all.Length * 0.99)]);
    }

    /// <summary>Fills a log with <paramref name="records"/> records in large appends (few commits).</summary>
    public static async Task FillAsync(string directory, long records, int batchSize = 4096)
    {
        await using var log = await ChangeLog.OpenAsync(new ChangeLogOptions { Directory = directory }, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        var batch = new LogEntry[batchSize];
        var written = (long)log.LastSequence;
        while (written < records)
        {
            var n = (int)Math.Min(batchSize, records - written);
            if (n != batch.Length)
            {
                batch = new LogEntry[n];
            }

            for (var r = 0; r < n; r++)
            {
                batch[r] = Record((int)(written + r));
            }

            await log.AppendAsync(batch, null, CancellationToken.None);
            written += n;
        }
    }

    /// <summary>
    /// Opens the log in <paramref name="directory"/> (recovery, saved map, opening scan), then closes it; returns how
    /// long each took.
    /// </summary>
    public static async Task<(TimeSpan Open, TimeSpan Close, ulong LastSequence, long SizeBytes)> OpenAsync(string directory)
    {
        var clock = Stopwatch.StartNew();
        var log = await ChangeLog.OpenAsync(new ChangeLogOptions { Directory = directory }, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        var open = clock.Elapsed;
        var (last, size) = (log.LastSequence, log.SizeBytes);
        clock.Restart();
        await log.DisposeAsync();
        return (open, clock.Elapsed, last, size);
    }
}
