using System.Globalization;
using Grpc.Core;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// How gRPC sits on HTTP/2, the parts this client needs beside what it sends: the content type, the statuses a call gets
/// when HTTP or HTTP/2 ends it instead of a grpc-status, and the grpc-timeout header it sends.
/// </summary>
internal static class GrpcHttpMapping
{
    public const string ContentType = "application/grpc";

    /// <summary><c>application/grpc</c>, optionally followed by <c>+subtype</c> or <c>;params</c>, case-insensitive (grpc-dotnet's rule).</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';';
    }

    /// <summary>The HTTP-to-gRPC table of http-grpc-status-mapping.md, for a response without grpc-status.</summary>
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

    /// <summary>A timeout as grpc-timeout: whole milliseconds, rounded up (8 digits are over 27 hours).</summary>
    public static string FormatTimeout(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero ? "1n" : ((long)Math.Ceiling(Math.Min(timeout.TotalMilliseconds, 99_999_999))).ToString(CultureInfo.InvariantCulture) + "m";

    /// <summary>grpc-message's %XX escapes decoded as UTF-8 (a bad escape stays as it is, as the spec requires).</summary>
    public static string DecodeMessage(string value) => Uri.UnescapeDataString(value);
}
