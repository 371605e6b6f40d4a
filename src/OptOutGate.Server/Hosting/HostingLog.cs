using OptOutGate.Server.Configuration;

namespace OptOutGate.Server.Hosting;

/// <summary>Start-up facts of the host (source-generated logging).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = EventIds.Hosting + 1, EventName = "ConnectionLimits", Level = LogLevel.Information, Message = "Connections: at most {MaxConnections} at once (open-file limit {DescriptorLimit}), {MaxStreams} calls each; idle connections and unfinished HTTP/2 prefaces are closed after {KeepAliveSeconds} s")]
    public static partial void ConnectionLimits(ILogger logger, int maxConnections, string descriptorLimit, int maxStreams, double keepAliveSeconds);

    [LoggerMessage(EventId = EventIds.Hosting + 2, EventName = "Listening", Level = LogLevel.Information, Message = "Listening: gRPC on {GrpcAddress}, JSON/REST API and console on {HttpAddress}, metrics on {MetricsAddress}")]
    public static partial void Listening(ILogger logger, string grpcAddress, string httpAddress, string metricsAddress);
}
