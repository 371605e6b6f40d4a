namespace OptOutGate.Rpc;

/// <summary>
/// How gRPC sits on HTTP/2, the parts every side needs: the content type, and the statuses a call gets when HTTP or
/// HTTP/2 ends it instead of a grpc-status. Shared by the server, the client and the load generator's direct client.
/// </summary>
public static class GrpcHttpMapping
{
    public const string ContentType = "application/grpc";

    /// <summary>
    /// <c>application/grpc</c>, optionally followed by <c>+subtype</c> or <c>;params</c>, case-insensitive
    /// (grpc-dotnet's rule), so that <c>application/grpc-web</c> is not taken for gRPC.
    /// </summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';';
    }

    /// <summary>
    /// The HTTP-to-gRPC table of http-grpc-status-mapping.md, for a response without grpc-status. Unexpected 1xx map
    /// to INTERNAL as in grpc-dotnet.
    /// </summary>
    public static StatusCode FromHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        431 => StatusCode.Internal,
        >= 100 and < 200 => StatusCode.Internal,
        _ => StatusCode.Unknown,
    };

    /// <summary>RST_STREAM / GOAWAY error codes to statuses (PROTOCOL-HTTP2.md "Errors").</summary>
    public static StatusCode FromHttp2ErrorCode(long http2ErrorCode) => http2ErrorCode switch
    {
        0x7 => StatusCode.Unavailable,        // REFUSED_STREAM: not processed, safe to retry
        0x8 => StatusCode.Cancelled,          // CANCEL
        0xB => StatusCode.ResourceExhausted,  // ENHANCE_YOUR_CALM
        0xC => StatusCode.PermissionDenied,   // INADEQUATE_SECURITY
        _ => StatusCode.Internal,             // NO_ERROR without a status, PROTOCOL_ERROR, INTERNAL_ERROR, ...
    };
}
