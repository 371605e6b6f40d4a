using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Benchmarks.Durability;

/// <summary>
/// Durable appends to the change log (each waits for its group commit's fsync) by 1, 16 and 256 concurrent appenders,
/// ~200-byte records. One operation = one acknowledged record. Real files in the temp folder: the figure is the
/// disk's fsync latency divided by how many appenders share a commit.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class ChangeLogAppendBenchmarks
{
    private const int RecordsPerInvoke = 2048;

    private string _directory = "";
    private ChangeLog _log = null!;
    private LogEntry[][] _entries = [];

    [Params(1, 16, 256)]
    public int Appenders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "optoutgate-bench-log-" + Guid.NewGuid().ToString("N"));
        _log = ChangeLog.OpenAsync(new ChangeLogOptions { Directory = _directory }, NullLogger.Instance, TimeProvider.System, CancellationToken.None)
            .GetAwaiter().GetResult();
        _entries = Enumerable.Range(0, Appenders).Select(a => Enumerable.Range(0, RecordsPerInvoke / Appenders)
            .Select(i => ChangeLogWorkload.Record((a * RecordsPerInvoke) + i)).ToArray()).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke)]
    public Task AppendOneRecordEach()
    {
        var tasks = new Task[Appenders];
        for (var a = 0; a < tasks.Length; a++)
        {
            var mine = _entries[a];
            tasks[a] = Task.Run(async () =>
            {
                foreach (var entry in mine)
                {
                    await _log.AppendAsync([entry], null, CancellationToken.None);
                }
            });
        }

        return Task.WhenAll(tasks);
    }
}
