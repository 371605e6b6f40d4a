using Microsoft.Extensions.Logging;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Rpc.Server.Health;

internal static partial class HealthLog
{
    [LoggerMessage(1, LogLevel.Information, "Health status of service '{Service}' is now {Status}.", EventName = "HealthStatusChanged")]
    public static partial void StatusChanged(ILogger logger, string service, ServingStatus status);

    [LoggerMessage(2, LogLevel.Debug, "Health watch for service '{Service}' started.", EventName = "HealthWatchStarted")]
    public static partial void WatchStarted(ILogger logger, string service);

    [LoggerMessage(3, LogLevel.Debug, "Health watch for service '{Service}' ended.", EventName = "HealthWatchEnded")]
    public static partial void WatchEnded(ILogger logger, string service);
}
