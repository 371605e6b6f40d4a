using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Tests.Grpc;

/// <summary>gRPC by hand over HttpClient (HTTP/2): exact bytes and headers, for the malformed inputs no real client sends.</summary>
public static class RawGrpc
{
    public const string CheckBatchPath = "/optoutgate.v1.Gate/CheckBatch";

    /// <summary>A valid CheckBatch request: one recipient, MARKETING.</summary>
    public static CheckBatchRequest Batch() => new() { Sender = "+18005550100", SmsType = SmsType.Marketing, Recipients = { "+14155550100" } };

    public static byte[] Frame(IMessage message) => Frame(message.ToByteArray(), compressed: false);

    public static byte[] Frame(byte[] payload, bool compressed)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>An HTTP/2 client of its own (prior knowledge, no TLS) for <paramref name="address"/>.</summary>
    public static HttpClient Client(Uri address) => new(new SocketsHttpHandler()) { BaseAddress = address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

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

    public static async Task<RawResponse> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var body = await response.Content.ReadAsByteArrayAsync();
            return new RawResponse((int)response.StatusCode, ToDictionary(response.Headers, response.Content.Headers), body, ToDictionary(response.TrailingHeaders, null));
        }
    }

    /// <summary>A well-formed CheckBatch after a malformed call: the gate still answers, on the same connection.</summary>
    public static async Task AssertStillServingAsync(HttpClient http)
    {
        var response = await SendAsync(http, Request(CheckBatchPath, Frame(Batch())));
        Assert.Equal("0", response.Status);
        Assert.Equal([Verdict.Allowed], CheckBatchResponse.Parser.ParseFrom(Assert.Single(response.Messages)).Verdicts);
    }

    private static Dictionary<string, string> ToDictionary(System.Net.Http.Headers.HttpHeaders headers, System.Net.Http.Headers.HttpHeaders? more)
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

/// <summary>What came back: HTTP status, headers (content headers included), body and trailers.</summary>
public sealed record RawResponse(int HttpStatus, Dictionary<string, string> Headers, byte[] Body, Dictionary<string, string> Trailers)
{
    /// <summary>grpc-status from the trailers, or from the headers of a Trailers-Only response.</summary>
    public string? Status => Trailers.GetValueOrDefault("grpc-status") ?? Headers.GetValueOrDefault("grpc-status");

    /// <summary>grpc-message, percent-decoded.</summary>
    public string? Message => (Trailers.GetValueOrDefault("grpc-message") ?? Headers.GetValueOrDefault("grpc-message")) is { } raw ? Uri.UnescapeDataString(raw) : null;

    /// <summary>The status came in the response's only HEADERS frame (gRPC's Trailers-Only), with no message and no trailers.</summary>
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
