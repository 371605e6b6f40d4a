using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OptOutGate.Server.Hosting;

/// <summary>
/// The gate's three listeners as Kestrel bound them. A port of 0 in the settings lets the system pick a free one (no
/// race with another process between choosing a port and binding it); Kestrel writes the picked port back into the
/// listener's options once bound, so after start-up these are the addresses clients reach, logged as one line
/// ("Listening: gRPC on …") for operators and for whatever starts the gate and needs its ports.
/// </summary>
public sealed class GateListeners
{
    internal ListenOptions? Grpc { get; set; }

    internal ListenOptions? Http { get; set; }

    internal ListenOptions? Metrics { get; set; }

    internal bool Tls { get; set; }

    /// <summary>The gRPC listener's bound address (Gate:Port), known once the host has started.</summary>
    public IPEndPoint? GrpcEndPoint => Grpc?.IPEndPoint;

    /// <summary>The JSON/REST API's and the console's bound address (Gate:HttpPort), or null when it is off.</summary>
    public IPEndPoint? HttpEndPoint => Http?.IPEndPoint;

    /// <summary>The metrics listener's bound address (Gate:MetricsPort), or null when it is off.</summary>
    public IPEndPoint? MetricsEndPoint => Metrics?.IPEndPoint;

    internal string GrpcAddress => Address(GrpcEndPoint, Tls);

    internal string HttpAddress => Address(HttpEndPoint, Tls);

    // Metrics are served in clear text even when the API uses TLS (KestrelSetup).
    internal string MetricsAddress => Address(MetricsEndPoint, tls: false);

    private static string Address(IPEndPoint? endPoint, bool tls) => endPoint is null ? "off" : $"{(tls ? "https" : "http")}://{endPoint}";
}
