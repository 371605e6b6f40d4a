using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Diagnostics.CallTimeline;

namespace OptOutGate.Server.Hosting;

/// <summary>
/// The gate's listeners: gRPC over HTTP/2 (h2c or TLS), the JSON/REST API over HTTP/1.1 (HTTP/1.1 and HTTP/2 with TLS),
/// and Prometheus metrics over HTTP/1.1.
/// </summary>
internal static class KestrelSetup
{
    public static void Configure(KestrelServerOptions kestrel, GateServerOptions options, GateListeners listeners, CallTimelineRecorder? timeline = null)
    {
        // The Server header tells clients nothing useful and costs bytes on every response (grpc-dotnet's benchmark
        // server turns it off too).
        kestrel.AddServerHeader = false;
        ApplyLimits(kestrel.Limits, options);
        var address = ParseAddress(options.ListenAddress);
        var certificate = string.IsNullOrEmpty(options.TlsCertificatePath) ? null : LoadCertificate(options);
        listeners.Tls = certificate is not null;
        kestrel.Listen(address, options.Port, listen =>
        {
            listeners.Grpc = listen;
            // HTTP/2 only: without TLS there is no ALPN, so h2c needs prior knowledge on a port of its own (grpc-dotnet#979).
            listen.Protocols = HttpProtocols.Http2;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }

            CallTimelineSetup.UseOnListener(listen, timeline);
        });

        if (options.HttpPort >= 0)
        {
            // curl, browsers and most HTTP libraries speak HTTP/1.1 to a cleartext port; with TLS, ALPN offers HTTP/2 too.
            kestrel.Listen(address, options.HttpPort, listen =>
            {
                listeners.Http = listen;
                listen.Protocols = certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        }

        if (options.MetricsPort >= 0)
        {
            kestrel.Listen(address, options.MetricsPort, listen =>
            {
                listeners.Metrics = listen;
                listen.Protocols = HttpProtocols.Http1;
            });
        }
    }

    /// <summary>
    /// Connection limits (README, "Limits"): no HTTP/1.1 upgrades (gRPC is HTTP/2 with prior knowledge or ALPN, and
    /// /metrics needs none), streams per connection, and the keep-alive timeout, which for HTTP/2 Kestrel also applies
    /// to a new connection until its preface has arrived. The number of connections is held by the accept layer
    /// (<see cref="AcceptLimit.ConnectionBudget"/>), before Kestrel sees them; Kestrel's MaxConcurrentConnections stays
    /// unset, as a second count of the same limit could never trigger.
    /// </summary>
    internal static void ApplyLimits(KestrelServerLimits limits, GateServerOptions options)
    {
        limits.MaxConcurrentUpgradedConnections = 0;
        limits.Http2.MaxStreamsPerConnection = options.MaxStreamsPerConnection;

        // A stream window larger than the 768 KiB default lets a message up to the 4 MiB receive limit arrive in a few
        // round trips; the connection window is shared by all streams, so it is several stream windows wide to keep
        // concurrent calls from starving each other. Both are upper bounds on buffered request bytes.
        limits.Http2.InitialStreamWindowSize = 1024 * 1024;
        limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
        limits.KeepAliveTimeout = options.KeepAliveTimeout;
        limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
    }

    private static IPAddress ParseAddress(string text) =>
        string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(text);

    private static X509Certificate2 LoadCertificate(GateServerOptions options)
    {
        var path = options.TlsCertificatePath!;
        if (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, options.TlsCertificatePassword);
        }

        return string.IsNullOrEmpty(options.TlsCertificatePassword)
            ? X509Certificate2.CreateFromPemFile(path, options.TlsKeyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, options.TlsCertificatePassword, options.TlsKeyPath);
    }
}
