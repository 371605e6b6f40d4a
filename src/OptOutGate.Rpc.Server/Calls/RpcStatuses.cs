namespace OptOutGate.Rpc.Server.Calls;

/// <summary>The statuses the layer itself produces, built once (details as in grpc-dotnet, which clients and tests know).</summary>
internal static class RpcStatuses
{
    public static readonly Status DeadlineExceeded = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");
    public static readonly Status CancelledByClient = new(StatusCode.Cancelled, "Call canceled by the client.");
    public static readonly Status NoResponse = new(StatusCode.Cancelled, "No message returned from method.");
    public static readonly Status HandlerException = new(StatusCode.Unknown, "Exception was thrown by handler.");
    public static readonly Status NoMessage = new(StatusCode.Internal, "No message received.");
    public static readonly Status IncompleteMessage = new(StatusCode.Internal, "Incomplete message.");
    public static readonly Status AdditionalData = new(StatusCode.Internal, "Additional data after the message received.");
    public static readonly Status CompressedWithoutEncoding = new(StatusCode.Internal, "Request sent with the compressed flag set but without a grpc-encoding (or with identity).");
    public static readonly Status ParseError = new(StatusCode.Internal, "Error parsing request message.");
    public static readonly Status ServiceUnimplemented = new(StatusCode.Unimplemented, "Service is unimplemented.");
    public static readonly Status MethodUnimplemented = new(StatusCode.Unimplemented, "Method is unimplemented.");
}
