namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>Options of <c>AddPrometheusMetrics</c>.</summary>
public sealed class PrometheusMetricsOptions
{
    /// <summary>Meters whose name starts with this are exposed. Default <c>"OptOutGate"</c>.</summary>
    public string MeterPrefix { get; set; } = "OptOutGate";

    /// <summary>
    /// Bucket upper bounds for histograms that give no <c>HistogramBucketBoundaries</c> advice. Default: the
    /// Prometheus client libraries' default buckets (0.005 … 10), made for seconds.
    /// </summary>
    public IList<double> DefaultHistogramBoundaries { get; set; } = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Whether the process and GC metrics of meter <c>OptOutGate.Process</c> are exposed. Default true.</summary>
    public bool IncludeProcessMetrics { get; set; } = true;

    /// <summary>
    /// The most tag sets kept per instrument; later new tag sets are dropped (and logged once). Default 2000:
    /// far above the service × method × code combinations of this server, low enough to bound memory.
    /// </summary>
    public int MaxSeriesPerInstrument { get; set; } = 2000;
}
