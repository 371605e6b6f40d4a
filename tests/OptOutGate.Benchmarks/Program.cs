using BenchmarkDotNet.Running;
using OptOutGate.Benchmarks.Index;

namespace OptOutGate.Benchmarks;

/// <summary>
/// BenchmarkDotNet micro-benchmarks (any arguments BenchmarkSwitcher accepts, e.g. <c>--filter *IndexLookup*</c>), or
/// a console mode named by the first argument for measurements that do not fit BenchmarkDotNet's repeated
/// invocations (see README.md). Add a mode with one more case.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        switch (args.Length > 0 ? args[0] : string.Empty)
        {
            case "memory":
                return IndexMemoryMode.Run(args[1..]);
            case "lookup":
                return IndexLookupMode.Run(args[1..]);
            case "restart":
                return IndexRestartMode.Run(args[1..]);
            case "filter":
                return FilterProbeMode.Run(args[1..]);
            case "scale":
                return IndexScaleMode.Run(args[1..]);
            case "state":
                return State.StateRestoreMode.Run(args[1..]);
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
        }
    }
}
