using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Benchmarks.Durability;

/// <summary>
/// Opening a change log of many ~200-byte records: recovery plus the opening scan (checksums, sequence → address
/// map) and the close. The log is written once in the global setup (large appends, few commits).
/// </summary>
[SimpleJob(RunStrategy.ColdStart, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ChangeLogOpenBenchmarks
{
    private string _directory = "";

    [Params(1_000_000, 10_000_000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "optoutgate-bench-open-" + Guid.NewGuid().ToString("N"));
        ChangeLogWorkload.FillAsync(_directory, Records).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark]
    public async Task<ulong> Open()
    {
        await using var log = await ChangeLog.OpenAsync(new ChangeLogOptions { Directory = _directory }, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        return log.LastSequence;
    }
}
