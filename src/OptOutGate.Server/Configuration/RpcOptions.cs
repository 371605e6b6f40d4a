namespace OptOutGate.Server.Configuration;

/// <summary>
/// Call limits and behaviour of the gRPC layer, from the "Rpc" configuration section, applied to grpc-dotnet's
/// <c>GrpcServiceOptions</c>. The defaults are grpc-dotnet's own, so clients see the limits of any gRPC server.
/// </summary>
public sealed class RpcOptions
{
    public const string SectionName = "Rpc";

    /// <summary>
    /// The largest request message accepted, in bytes, after decompression; a larger one ends the call with
    /// RESOURCE_EXHAUSTED. Default 4 MiB (4,194,304), as in grpc-dotnet, grpc-go and grpc-js. Empty means no limit.
    /// </summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>The largest response message sent, in bytes; a larger one ends the call with RESOURCE_EXHAUSTED. Default empty: no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>
    /// When true, the message of an unexpected handler exception is added to the UNKNOWN status sent to the client.
    /// Default false: exception text can reveal internals, so it only goes to the log.
    /// </summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>
    /// <c>gzip</c> to compress responses for clients that accept it (<c>grpc-accept-encoding</c>); empty (default): no
    /// response is compressed, since a CheckBatch answer is a few hundred bytes and compressing each costs more CPU
    /// than it saves. Compressed requests (gzip, deflate) are always accepted.
    /// </summary>
    public string? ResponseCompression { get; set; }

    /// <summary>Every problem, for start-up validation; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MaxReceiveMessageSize is <= 0)
        {
            problems.Add($"{SectionName}:MaxReceiveMessageSize must be positive, or empty for no limit (was {MaxReceiveMessageSize}).");
        }

        if (MaxSendMessageSize is <= 0)
        {
            problems.Add($"{SectionName}:MaxSendMessageSize must be positive, or empty for no limit (was {MaxSendMessageSize}).");
        }

        if (!string.IsNullOrEmpty(ResponseCompression) && !string.Equals(ResponseCompression, "gzip", StringComparison.Ordinal))
        {
            problems.Add($"{SectionName}:ResponseCompression '{ResponseCompression}' is not supported: gzip, or empty for none.");
        }

        return problems;
    }
}
