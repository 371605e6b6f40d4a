using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace OptOutGate.Benchmarks.Index;

/// <summary>
/// A short in-process job: the 10-million-entry dataset takes ~15-30 s to build on the 2-core machine, so few
/// iterations; in-process, so no second build of the repository (which other work may be changing) is needed.
/// </summary>
internal sealed class IndexLookupConfig : ManualConfig
{
    public IndexLookupConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithToolchain(InProcessEmitToolchain.Instance));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
