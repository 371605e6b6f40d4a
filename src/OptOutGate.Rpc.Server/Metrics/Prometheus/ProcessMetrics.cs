using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>
/// The process metrics that Prometheus client libraries export by convention (process_cpu_seconds_total,
/// process_resident_memory_bytes, process_start_time_seconds) and the GC heap, as observable instruments read
/// at scrape time: nothing is measured between scrapes.
/// </summary>
internal sealed class ProcessMetrics : IDisposable
{
    public const string MeterName = "OptOutGate.Process";

    private static readonly KeyValuePair<string, object?>[] s_generations =
    [
        new("generation", "gen0"), new("generation", "gen1"), new("generation", "gen2"),
    ];

    private readonly Meter _meter;

    public ProcessMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        double startTime;
        using (var process = Process.GetCurrentProcess())
        {
            startTime = (process.StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds;
        }

        _meter.CreateObservableCounter("process_cpu", static () => Environment.CpuUsage.TotalTime.TotalSeconds, "s", "Total user and system CPU time spent in seconds.");
        _meter.CreateObservableGauge("process_resident_memory", static () => Environment.WorkingSet, "By", "Resident memory size in bytes.");
        _meter.CreateObservableGauge("process_start_time", () => startTime, "s", "Start time of the process since unix epoch in seconds.");
        _meter.CreateObservableGauge("dotnet_gc_heap_size", static () => GC.GetGCMemoryInfo().HeapSizeBytes, "By", "GC heap size (all generations, fragmentation included) at the last collection.");
        _meter.CreateObservableCounter("dotnet_gc_allocated", static () => GC.GetTotalAllocatedBytes(), "By", "Bytes allocated on the GC heap since the process started.");
        _meter.CreateObservableCounter("dotnet_gc_collections", static () => Collections(), "{collection}", "Garbage collections since the process started, by generation.");
    }

    public void Dispose() => _meter.Dispose();

    private static Measurement<long>[] Collections() =>
    [
        new(GC.CollectionCount(0), s_generations[0]),
        new(GC.CollectionCount(1), s_generations[1]),
        new(GC.CollectionCount(2), s_generations[2]),
    ];
}
