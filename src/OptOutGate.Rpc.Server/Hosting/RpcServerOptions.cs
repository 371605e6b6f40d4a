namespace OptOutGate.Rpc.Server.Hosting;

/// <summary>
/// Server-wide call settings. Bind from configuration (for example
/// <c>services.Configure&lt;RpcServerOptions&gt;(configuration.GetSection("Rpc"))</c>); validated at start-up.
/// Defaults are those of grpc-dotnet's <c>GrpcServiceOptions</c> so clients see the same limits as from any gRPC server.
/// </summary>
public sealed class RpcServerOptions
{
    /// <summary>
    /// The largest request message accepted, in bytes, after decompression; a larger one ends the call with
    /// RESOURCE_EXHAUSTED. Default 4 MiB (4,194,304), as in grpc-dotnet, grpc-go and grpc-js. Null means no limit.
    /// </summary>
    public int? MaxReceiveMessageSize { get; set; } = MessageFraming.DefaultMaxReceiveMessageSize;

    /// <summary>
    /// The largest response message sent, in bytes; a larger one ends the call with RESOURCE_EXHAUSTED.
    /// Default null: no limit, as in grpc-dotnet.
    /// </summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>
    /// When true, the message of an unexpected handler exception is appended to the UNKNOWN status sent to the client.
    /// Default false: exception text can reveal internals, so it only goes to the log.
    /// </summary>
    public bool EnableDetailedErrors { get; set; }
}
