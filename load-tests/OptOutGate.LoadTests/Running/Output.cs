using OptOutGate.LoadTests.Reporting;

namespace OptOutGate.LoadTests.Running;

/// <summary>Prints summaries to stdout, writes the --json report, and turns the outcome into the exit code.</summary>
internal static class Output
{
    /// <summary>Exit code when a run completed no call successfully.</summary>
    public const int NoSuccess = 1;

    /// <summary>Exit code when a check answered differently from the dataset (a correctness failure, not a speed one).</summary>
    public const int VerdictMismatch = 3;

    public static int Print(IReadOnlyList<LoadReport> reports, LoadTestOptions options, string call, string endReason)
    {
        foreach (var report in reports)
        {
            Console.Out.Write(report.Format());
        }

        Console.Out.Flush();
        if (options.JsonPath is { } path)
        {
            JsonReport.Write(path, reports, options.Describe(call), endReason);
            Console.Error.WriteLine($"json: {path}");
        }

        if (reports.Any(static r => r.Counters.GetValueOrDefault(Gate.CheckScenario.Mismatch) > 0))
        {
            return VerdictMismatch;
        }

        return reports.All(static r => r.SortedOkNanos.Length > 0) ? 0 : NoSuccess;
    }
}
