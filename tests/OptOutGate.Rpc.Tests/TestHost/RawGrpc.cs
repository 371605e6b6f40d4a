using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OptOutGate.Rpc.Tests.Echo;

namespace OptOutGate.Rpc.Tests.TestHost;

/// <summary>gRPC by hand over HttpClient: exact bytes and headers, for the malformed inputs no real client sends.</summary>
public static class RawGrpc
{
    public const string UnaryPath = "/optoutgate.rpc.tests.Echo/Unary";
    public const string ServerStreamPath = "/optoutgate.rpc.tests.Echo/ServerStream";
    public const string ClientStreamPath = "/optoutgate.rpc.tests.Echo/ClientStream";

    public static byte[] Frame(IMessage message) => Frame(message.ToByteArray(), compressed: false);

    public static byte[] Frame(byte[] payload, bool compressed)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public static HttpRequestMessage Request(string path, byte[] body, string? contentType = "application/grpc", params (string Name, string Value)[] headers)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static async Task<RawResponse> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new RawResponse(
            (int)response.StatusCode,
            ToDictionary(response.Headers, response.Content.Headers),
            body,
            ToDictionary(response.TrailingHeaders, null));
    }

    /// <summary>A well-formed unary Echo call; used after every malformed one to show the server is still healthy.</summary>
    public static async Task AssertServerHealthyAsync(HttpClient http)
    {
        var response = await SendAsync(http, Request(UnaryPath, Frame(new EchoRequest { Text = "still alive" })));
        Xunit.Assert.Equal("0", response.Status);
        Xunit.Assert.Equal("still alive", EchoReply.Parser.ParseFrom(Xunit.Assert.Single(response.Messages)).Text);
    }

    private static Dictionary<string, string> ToDictionary(HttpHeaders headers, HttpHeaders? more)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers.NonValidated)
        {
            result[header.Key] = string.Join(",", header.Value);
        }

        if (more is not null)
        {
            foreach (var header in more.NonValidated)
            {
                result[header.Key] = string.Join(",", header.Value);
            }
        }

        return result;
    }
}

public sealed record RawResponse(int HttpStatus, Dictionary<string, string> Headers, byte[] Body, Dictionary<string, string> Trailers)
{
    /// <summary>grpc-status from the trailers, or from the headers of a Trailers-Only response.</summary>
    public string? Status => Trailers.GetValueOrDefault("grpc-status") ?? Headers.GetValueOrDefault("grpc-status");

    /// <summary>grpc-message as sent (still percent-encoded).</summary>
    public string? RawMessage => Trailers.GetValueOrDefault("grpc-message") ?? Headers.GetValueOrDefault("grpc-message");

    public string? Message => RawMessage is null ? null : Rpc.PercentEncoding.Decode(RawMessage);

    public bool IsTrailersOnly => Headers.ContainsKey("grpc-status") && Body.Length == 0 && Trailers.Count == 0;

    public IReadOnlyList<byte[]> Messages
    {
        get
        {
            var messages = new List<byte[]>();
            var span = Body.AsSpan();
            while (span.Length >= 5)
            {
                var length = (int)BinaryPrimitives.ReadUInt32BigEndian(span[1..]);
                messages.Add(span.Slice(5, length).ToArray());
                span = span[(5 + length)..];
            }

            return messages;
        }
    }
}
