namespace OptOutGate.Server.Configuration;

/// <summary>
/// Where and how the gate listens. Bound from the "Gate" configuration section (appsettings.json, then environment
/// variables such as <c>Gate__Port=50052</c> or <c>OPTOUTGATE_Gate__Port=50052</c>, then command-line
/// <c>--Gate:Port=50052</c>). Every default is the embedded standalone setup: loopback only, no Redis, data in ./data.
/// </summary>
public sealed class GateServerOptions
{
    public const string SectionName = "Gate";

    /// <summary>
    /// The address the gRPC, JSON/REST and metrics listeners bind to. Default 127.0.0.1 (loopback only). Use 0.0.0.0 or :: to
    /// listen on every interface; that requires API keys (README, "API keys"), so the server refuses to start without them.
    /// </summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>gRPC port (HTTP/2: h2c, or TLS when a certificate is set). Default 50051, gRPC's customary port; 0 picks a free port.</summary>
    public int Port { get; set; } = 50051;

    /// <summary>Prometheus /metrics port (HTTP/1.1, so that curl and Prometheus need no HTTP/2). Default 9090; 0 picks a free port; -1 turns metrics off.</summary>
    public int MetricsPort { get; set; } = 9090;

    /// <summary>
    /// JSON/REST port (README, "JSON/REST API"): the same RPCs as JSON over HTTP/1.1, for curl and clients without gRPC,
    /// and the OpenAPI document. With a certificate it is HTTPS (HTTP/1.1 and HTTP/2 by ALPN). Default 8080; 0 picks a
    /// free port; -1 turns it off (the JSON routes still answer on the gRPC port, over HTTP/2 only).
    /// </summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>PEM or PFX certificate for TLS on the gRPC and JSON/REST ports; empty means cleartext (h2c with prior knowledge on the gRPC port).</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>Private key file for a PEM certificate; empty when the key is inside the certificate file.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>Password of a PFX certificate or an encrypted PEM key.</summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>Folder for the durable log, checkpoints and the index. Default ./data.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// How long a shutdown waits for in-flight calls to finish after the server stops taking new ones. Default 30 s,
    /// the same as Kubernetes' default termination grace period, so a rolling update drains before SIGKILL.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Connections open at once, on every listener together (held by the gate's accept layer); more are accepted
    /// and closed at once, up to <see cref="ConnectionLimits.RejectionMargin"/> at a time, past which the gate stops
    /// accepting until one closes. Default (empty): the process's open-file limit (RLIMIT_NOFILE, <c>ulimit -n</c>) less what
    /// <see cref="ConnectionLimits.Reserved"/> keeps for the gate's own files and for connections refused over the
    /// limit (512 and a quarter of the limit), at most <see cref="ConnectionLimits.DefaultMaxConnections"/>: past the
    /// descriptor limit the runtime itself fails (accept and file opens return EMFILE), so the limit must come first.
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary>
    /// Concurrent calls (HTTP/2 streams) on one connection. Default 1,000: load tools such as ghz send many calls over
    /// one connection, and gRPC clients queue calls beyond the limit silently.
    /// </summary>
    public int MaxStreamsPerConnection { get; set; } = 1000;

    /// <summary>
    /// How long a connection may sit without a call in progress before it is closed, including a new connection that
    /// has not sent the whole HTTP/2 preface (Kestrel applies its keep-alive timeout to both). Default 10 s (Kestrel's
    /// own is 130 s, long enough for idle sockets to pile up); gRPC clients reconnect transparently on their next call.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a request's headers may take to arrive (Kestrel's RequestHeadersTimeout). Default 10 s.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A file to write every gRPC call's server-side timeline to when the gate stops (a diagnostic for tail latency,
    /// off by default; load-tests/README.md, "The tail, hop by hop"): when each call's bytes reached Kestrel's HTTP/2
    /// layer, when its request began, when its handler ran and ended, when its response left for the socket, and the
    /// GC pauses in between. Recording costs a few timestamps per call and per socket read and flush, in memory.
    /// </summary>
    public string? CallTimelinePath { get; set; }

    /// <summary>Calls the timeline keeps (the newest; socket reads and flushes four times as many). Default 200,000.</summary>
    public int CallTimelineCalls { get; set; } = 200_000;

    /// <summary>Every problem of these settings, for start-up validation; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var failures = new List<string>();
        if (!string.Equals(ListenAddress, "localhost", StringComparison.OrdinalIgnoreCase) && !System.Net.IPAddress.TryParse(ListenAddress, out _))
        {
            failures.Add($"Gate:ListenAddress '{ListenAddress}' is not an IP address (use 127.0.0.1, ::1, 0.0.0.0, :: or localhost).");
        }

        if (Port is < 0 or > 65535)
        {
            failures.Add($"Gate:Port {Port} is outside 0-65535.");
        }

        if (MetricsPort is < -1 or > 65535)
        {
            failures.Add($"Gate:MetricsPort {MetricsPort} is outside -1 (off) to 65535.");
        }

        if (MetricsPort > 0 && MetricsPort == Port)
        {
            failures.Add($"Gate:MetricsPort and Gate:Port are both {Port}: metrics need a port of their own (HTTP/1.1).");
        }

        if (HttpPort is < -1 or > 65535)
        {
            failures.Add($"Gate:HttpPort {HttpPort} is outside -1 (off) to 65535.");
        }

        if (HttpPort > 0 && (HttpPort == Port || HttpPort == MetricsPort))
        {
            failures.Add($"Gate:HttpPort {HttpPort} is also {(HttpPort == Port ? "Gate:Port" : "Gate:MetricsPort")}: the JSON/REST API needs a port of its own (HTTP/1.1).");
        }

        if (!string.IsNullOrEmpty(TlsCertificatePath) && !File.Exists(TlsCertificatePath))
        {
            failures.Add($"Gate:TlsCertificatePath '{TlsCertificatePath}' does not exist.");
        }

        if (!string.IsNullOrEmpty(TlsKeyPath) && !File.Exists(TlsKeyPath))
        {
            failures.Add($"Gate:TlsKeyPath '{TlsKeyPath}' does not exist.");
        }

        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            failures.Add("Gate:DataDirectory is empty.");
        }

        if (ShutdownTimeout < TimeSpan.Zero || ShutdownTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Gate:ShutdownTimeout {ShutdownTimeout} is outside 0 to 10 minutes.");
        }

        if (CallTimelineCalls is < 1_000 or > 10_000_000)
        {
            failures.Add($"Gate:CallTimelineCalls {CallTimelineCalls} is outside 1000-10000000.");
        }

        ConnectionLimits.AddProblems(this, ConnectionLimits.DescriptorLimit(), failures);
        return failures;
    }

    /// <summary>Whether the server listens on more than loopback (decides whether API keys are mandatory).</summary>
    public bool ListensBeyondLoopback()
    {
        if (string.Equals(ListenAddress, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return !System.Net.IPAddress.TryParse(ListenAddress, out var ip) || !System.Net.IPAddress.IsLoopback(ip);
    }
}
