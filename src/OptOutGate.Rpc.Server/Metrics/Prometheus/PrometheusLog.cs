using Microsoft.Extensions.Logging;

namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

internal static partial class PrometheusLog
{
    [LoggerMessage(1, LogLevel.Warning, "Instrument '{Instrument}' reached {Max} tag sets; measurements with new tag sets are dropped.", EventName = "PrometheusSeriesCapReached")]
    public static partial void SeriesCapReached(ILogger logger, string instrument, int max);

    [LoggerMessage(2, LogLevel.Warning, "Instrument '{Instrument}' of meter '{Meter}' maps to metric '{Metric}', already exposed as another type; it is left out.", EventName = "PrometheusNameConflict")]
    public static partial void NameConflict(ILogger logger, string instrument, string meter, string metric);

    [LoggerMessage(3, LogLevel.Warning, "An observable instrument's callback failed during a scrape.", EventName = "PrometheusObservableFailed")]
    public static partial void ObservableFailed(ILogger logger, Exception exception);
}
