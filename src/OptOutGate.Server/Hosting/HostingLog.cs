using OptOutGate.Server.Configuration;

namespace OptOutGate.Server.Hosting;

/// <summary>Start-up facts of the host and refused connections (source-generated logging).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = EventIds.Hosting + 1, EventName = "ConnectionLimits", Level = LogLevel.Information, Message = "Connections: at most {MaxConnections} at once (open-file limit {DescriptorLimit}), {MaxStreams} calls each; idle connections and unfinished HTTP/2 prefaces are closed after {KeepAliveSeconds} s")]
    public static partial void ConnectionLimits(ILogger logger, int maxConnections, string descriptorLimit, int maxStreams, double keepAliveSeconds);

    [LoggerMessage(EventId = EventIds.Hosting + 2, EventName = "Listening", Level = LogLevel.Information, Message = "Listening: gRPC on {GrpcAddress}, JSON/REST API and console on {HttpAddress}, metrics on {MetricsAddress}")]
    public static partial void Listening(ILogger logger, string grpcAddress, string httpAddress, string metricsAddress);

    [LoggerMessage(EventId = EventIds.Hosting + 3, EventName = "ConnectionsRefused", Level = LogLevel.Warning, Message = "Refusing connections: the gate is at its limit of {MaxConnections} (Gate:MaxConnections, or sized from ulimit -n when unset); connections over it are closed at once and counted in optoutgate_connections_refused_total; reported at most every 10 s")]
    public static partial void ConnectionsRefusing(ILogger logger, int maxConnections);

    [LoggerMessage(EventId = EventIds.Hosting + 4, EventName = "ConnectionsRefusedSince", Level = LogLevel.Warning, Message = "Refusing connections: the gate is at its limit of {MaxConnections}; {Refused} refused since the last report, {Seconds:0} s ago")]
    public static partial void ConnectionsRefusedSince(ILogger logger, int maxConnections, long refused, double seconds);
}
