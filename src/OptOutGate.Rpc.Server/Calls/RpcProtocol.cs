using Microsoft.AspNetCore.Http;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>Header names, fixed values and pre-built strings of the gRPC HTTP/2 protocol (PROTOCOL-HTTP2.md).</summary>
internal static class RpcProtocol
{
    public const string ContentType = GrpcHttpMapping.ContentType;
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = GrpcTimeout.HeaderName;
    public const string EncodingHeader = MessageCompression.EncodingHeader;
    public const string AcceptEncodingHeader = MessageCompression.AcceptEncodingHeader;

    /// <summary>RST_STREAM CANCEL (RFC 9113 §7): how a server cancels a call whose deadline passed.</summary>
    public const int ResetCancel = 0x8;

    // grpc-status is decimal without leading zeros; caching the 17 strings keeps the per-call path allocation-free.
    private static readonly string[] s_statusStrings = CreateStatusStrings();

    public static string StatusString(StatusCode code) =>
        (uint)code < (uint)s_statusStrings.Length
            ? s_statusStrings[(int)code]
            : ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Headers that are part of the protocol, not custom metadata (grpc-dotnet's filtered set).</summary>
    public static bool IsReservedRequestHeader(string name) =>
        name is "grpc-encoding" or "grpc-accept-encoding" or "grpc-timeout" or "content-encoding" or "content-type"
            or "te" or "host" or "accept-encoding";

    public static bool IsHttp2OrLater(HttpRequest request) =>
        HttpProtocol.IsHttp2(request.Protocol) || HttpProtocol.IsHttp3(request.Protocol);

    private static string[] CreateStatusStrings()
    {
        var strings = new string[(int)StatusCode.Unauthenticated + 1];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return strings;
    }
}
