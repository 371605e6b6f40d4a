using System.Text.RegularExpressions;
using OptOutGate.Rpc.Client.Internal;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

public sealed class RequestHeadersTests
{
    [Fact]
    public void Call_headers_carry_te_timeout_encodings_user_agent_and_metadata_in_order()
    {
        using var request = new HttpRequestMessage();
        var metadata = new Metadata { { "x-text", "hello" }, { "x-data-bin", new byte[] { 1, 2, 3, 4 } } };

        RequestHeaders.Add(request.Headers, "250m", "ua/1", compressed: true, metadata);

        // Known headers keep HttpClient's canonical casing here; HPACK lower-cases every name on the wire.
        var names = request.Headers.NonValidated.Select(h => h.Key.ToLowerInvariant()).ToArray();
        Assert.Equal(["grpc-timeout", "te", "grpc-encoding", "grpc-accept-encoding", "user-agent", "x-text", "x-data-bin"], names);
        Assert.Equal("trailers", Value(request, "te"));
        Assert.Equal("250m", Value(request, "grpc-timeout"));
        Assert.Equal("gzip", Value(request, "grpc-encoding"));
        Assert.Equal("identity,gzip,deflate", Value(request, "grpc-accept-encoding"));
        Assert.Equal("AQIDBA", Value(request, "x-data-bin")); // unpadded, as the spec says to emit
    }

    [Fact]
    public void No_deadline_and_no_compression_send_neither_header()
    {
        using var request = new HttpRequestMessage();

        RequestHeaders.Add(request.Headers, timeout: null, "ua/1", compressed: false, metadata: null);

        Assert.False(request.Headers.NonValidated.Contains("grpc-timeout"));
        Assert.False(request.Headers.NonValidated.Contains("grpc-encoding"));
    }

    [Fact]
    public void Default_user_agent_follows_the_grpc_structure() =>
        Assert.Matches(new Regex(@"^grpc-dotnet-optoutgate/\d+\.\d+\.\d+"), RequestHeaders.DefaultUserAgent);

    private static string Value(HttpRequestMessage request, string name) =>
        string.Join(",", request.Headers.NonValidated[name]);
}
