using System.Net.Http.Headers;
using System.Reflection;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>The request headers of a call, in the order PROTOCOL-HTTP2.md gives (grpc-timeout right after the reserved ones).</summary>
internal static class RequestHeaders
{
    public const string GrpcContentType = GrpcHttpMapping.ContentType;

    /// <summary><c>grpc-&lt;lang&gt;-&lt;variant&gt;/&lt;version&gt;</c>, the user-agent structure PROTOCOL-HTTP2.md recommends.</summary>
    public static readonly string DefaultUserAgent = "grpc-dotnet-optoutgate/" + Version();

    private static readonly MediaTypeHeaderValue s_contentType = new(GrpcContentType);

    public static MediaTypeHeaderValue ContentType => s_contentType;

    public static void Add(HttpRequestHeaders headers, string? timeout, string userAgent, bool compressed, Metadata? metadata)
    {
        if (timeout is not null)
        {
            headers.TryAddWithoutValidation(GrpcTimeout.HeaderName, timeout);
        }

        // "TE is required by some servers, e.g. C Core. A missing TE header results in servers aborting the gRPC call." (grpc-dotnet)
        headers.TryAddWithoutValidation("te", "trailers");
        if (compressed)
        {
            headers.TryAddWithoutValidation(MessageCompression.EncodingHeader, "gzip");
        }

        headers.TryAddWithoutValidation(MessageCompression.AcceptEncodingHeader, MessageCompression.Supported);
        headers.TryAddWithoutValidation("user-agent", userAgent);
        if (metadata is null)
        {
            return;
        }

        for (var i = 0; i < metadata.Count; i++)
        {
            var entry = metadata[i];

            // Entry.Value of a -bin entry is its unpadded base64: "SHOULD emit unpadded" (PROTOCOL-HTTP2.md).
            headers.TryAddWithoutValidation(entry.Key, entry.Value);
        }
    }

    private static string Version()
    {
        var assembly = typeof(RequestHeaders).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (informational is null)
        {
            return assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        }

        // Drop the "+<commit>" source-revision suffix the SDK appends: it is noise in every request.
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
