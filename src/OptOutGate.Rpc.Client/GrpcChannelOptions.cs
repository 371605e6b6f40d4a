namespace OptOutGate.Rpc.Client;

/// <summary>Options of a <see cref="GrpcChannel"/>. Defaults follow grpc-dotnet's client where it has one.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>Largest response message accepted; larger ones fail the call with RESOURCE_EXHAUSTED. Default 4 MiB, as in grpc-dotnet, grpc-go and grpc-js.</summary>
    public int? MaxReceiveMessageSize { get; set; } = MessageFraming.DefaultMaxReceiveMessageSize;

    /// <summary>Largest request message sent; larger ones fail the call with RESOURCE_EXHAUSTED. Default null (no limit), as in grpc-dotnet.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>
    /// A handler to send requests through instead of the channel's own <see cref="SocketsHttpHandler"/> (for example one
    /// with custom TLS certificate validation). The channel does not dispose it.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Compress every request message with gzip (<c>grpc-encoding: gzip</c>). Default false.</summary>
    public bool CompressRequests { get; set; }

    /// <summary>
    /// The deadline, relative to the start of each call, for calls whose <see cref="CallOptions.Deadline"/> is not set.
    /// Default null: no deadline.
    /// </summary>
    public TimeSpan? DefaultDeadline { get; set; }

    /// <summary>The <c>user-agent</c> header. Default <c>grpc-dotnet-optoutgate/&lt;assembly version&gt;</c>.</summary>
    public string? UserAgent { get; set; }

    /// <summary>How long opening a TCP (and TLS) connection may take before calls fail with UNAVAILABLE. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Idle time after which the channel pings the server (HTTP/2 PING) to detect a dead connection. Default 60 s,
    /// the value Microsoft's gRPC performance guide uses; Kestrel answers pings without limits.
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for a ping's answer before the connection is closed. Default 30 s.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
