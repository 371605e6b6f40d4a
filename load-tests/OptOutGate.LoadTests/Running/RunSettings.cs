namespace OptOutGate.LoadTests.Running;

/// <summary>How one run is driven: closed loop of <paramref name="Concurrency"/> workers, like ghz -c.</summary>
/// <param name="Label">Name on the progress line and in the report.</param>
/// <param name="Concurrency">Workers, each with at most one call in flight.</param>
/// <param name="Duration">Measured time (ghz -z); ignored when <paramref name="Total"/> is set.</param>
/// <param name="Total">Counted calls (ghz -n); 0 = run for <paramref name="Duration"/>.</param>
/// <param name="Warmup">Calls started before this much time has passed are made but not counted.</param>
/// <param name="Rps">Overall call rate limit (ghz -r); 0 = as fast as the workers go.</param>
internal sealed record RunSettings(string Label, int Concurrency, TimeSpan Duration, long Total, TimeSpan Warmup, double Rps)
{
    public static RunSettings From(string label, LoadTestOptions options) =>
        new(label, options.Concurrency, options.Duration, options.Total, options.Warmup, options.Rps);

    /// <summary>Where the measured part of a run started at <paramref name="start"/> begins and ends (Stopwatch timestamps).</summary>
    public (long MeasureFrom, long MeasureUntil) Window(long start)
    {
        var measureFrom = start + (long)(Warmup.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        return (measureFrom, Total > 0 ? long.MaxValue : measureFrom + (long)(Duration.TotalSeconds * System.Diagnostics.Stopwatch.Frequency));
    }
}
