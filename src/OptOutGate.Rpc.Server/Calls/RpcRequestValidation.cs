using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>The HTTP-level checks done before a request is treated as a gRPC call (PROTOCOL-HTTP2.md, grpc-dotnet).</summary>
internal static class RpcRequestValidation
{
    /// <summary>True for a gRPC request over HTTP/2; otherwise answers 415 or 426 (with grpc-status 13) and returns false.</summary>
    public static bool TryAccept(HttpContext http, ILogger logger)
    {
        var request = http.Request;
        var contentType = request.ContentType;
        if (!GrpcHttpMapping.IsGrpcContentType(contentType))
        {
            RpcServerLog.UnsupportedContentType(logger, contentType);
            Reject(
                http.Response,
                StatusCodes.Status415UnsupportedMediaType,
                contentType is null ? "Content-Type is missing from the request." : $"Content-Type '{contentType}' is not supported.");
            return false;
        }

        if (!RpcProtocol.IsHttp2OrLater(request))
        {
            RpcServerLog.UnsupportedProtocol(logger, request.Protocol);
            http.Response.Headers.Upgrade = "HTTP/2";
            Reject(http.Response, StatusCodes.Status426UpgradeRequired, $"Request protocol '{request.Protocol}' is not supported.");
            return false;
        }

        return true;
    }

    /// <summary>Sets the headers every gRPC response carries, Trailers-Only included.</summary>
    public static void PrepareResponse(HttpResponse response)
    {
        response.ContentType = RpcProtocol.ContentType;

        // Advertised on every response so a client learns what it may compress with (doc/compression.md).
        response.Headers[RpcProtocol.AcceptEncodingHeader] = MessageCompression.Supported;
    }

    /// <summary>A Trailers-Only response: HTTP 200, content-type, grpc-status and grpc-message in one HEADERS frame.</summary>
    public static void WriteTrailersOnly(HttpResponse response, Status status)
    {
        PrepareResponse(response);
        var headers = response.Headers;
        headers[RpcProtocol.StatusHeader] = RpcProtocol.StatusString(status.Code);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            headers[RpcProtocol.MessageHeader] = PercentEncoding.Encode(status.Detail);
        }
    }

    private static void Reject(HttpResponse response, int httpStatus, string message)
    {
        response.StatusCode = httpStatus;
        response.Headers[RpcProtocol.StatusHeader] = RpcProtocol.StatusString(StatusCode.Internal);
        response.Headers[RpcProtocol.MessageHeader] = PercentEncoding.Encode(message);
    }
}
