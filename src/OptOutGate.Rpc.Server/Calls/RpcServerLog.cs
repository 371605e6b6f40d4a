using Microsoft.Extensions.Logging;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>
/// The server layer's log events. Everything a client can cause (bad input, cancellation, deadlines) is Debug so a
/// misbehaving client cannot flood the log; only a handler's unexpected exception is an Error.
/// </summary>
internal static partial class RpcServerLog
{
    [LoggerMessage(1, LogLevel.Debug, "Request content-type '{ContentType}' is not supported.", EventName = "UnsupportedContentType")]
    public static partial void UnsupportedContentType(ILogger logger, string? contentType);

    [LoggerMessage(2, LogLevel.Debug, "Request protocol '{Protocol}' is not supported: gRPC needs HTTP/2.", EventName = "UnsupportedProtocol")]
    public static partial void UnsupportedProtocol(ILogger logger, string protocol);

    [LoggerMessage(3, LogLevel.Debug, "Invalid grpc-timeout '{Timeout}' ignored.", EventName = "InvalidTimeoutIgnored")]
    public static partial void InvalidTimeoutIgnored(ILogger logger, string timeout);

    [LoggerMessage(4, LogLevel.Debug, "Call {Method} exceeded its deadline.", EventName = "DeadlineExceeded")]
    public static partial void DeadlineExceeded(ILogger logger, string method);

    [LoggerMessage(5, LogLevel.Debug, "Error while ending call {Method} at its deadline.", EventName = "DeadlineCompletionFailed")]
    public static partial void DeadlineCompletionFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(6, LogLevel.Debug, "Call {Method} was cancelled by the client.", EventName = "CallCancelledByClient")]
    public static partial void CallCancelledByClient(ILogger logger, string method);

    [LoggerMessage(7, LogLevel.Error, "Error when executing service method {Method}.", EventName = "HandlerError")]
    public static partial void HandlerError(ILogger logger, string method, Exception exception);

    [LoggerMessage(8, LogLevel.Debug, "Call {Method} ended with status {StatusCode}: {Detail}", EventName = "CallFailed")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(9, LogLevel.Debug, "Binary metadata '{Key}' is not valid base64; ignored.", EventName = "InvalidBinaryMetadata")]
    public static partial void InvalidBinaryMetadata(ILogger logger, string key);

    [LoggerMessage(10, LogLevel.Debug, "Metadata '{Key}' has a value that is not printable ASCII; ignored.", EventName = "InvalidTextMetadata")]
    public static partial void InvalidTextMetadata(ILogger logger, string key);

    [LoggerMessage(11, LogLevel.Debug, "Unimplemented call {Path}.", EventName = "UnimplementedCall")]
    public static partial void UnimplementedCall(ILogger logger, string path);
}
