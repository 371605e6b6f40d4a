using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Calls;

[Collection(RpcServerCollection.Name)]
public sealed class StatusAndMetadataTests(RpcServerFixture server)
{
    private readonly HttpClient _http = server.Http;

    [Fact]
    public async Task Successful_unary_sends_headers_message_and_status_ok_in_trailers()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { Text = "hello" })));

        Assert.Equal(200, response.HttpStatus);
        Assert.Equal("application/grpc", response.Headers["content-type"]);
        Assert.Equal("identity,gzip,deflate", response.Headers["grpc-accept-encoding"]);
        Assert.False(response.Headers.ContainsKey("grpc-status"));
        Assert.Equal("0", response.Trailers["grpc-status"]);
        Assert.False(response.Trailers.ContainsKey("grpc-message"));
        Assert.Equal("hello", EchoReply.Parser.ParseFrom(Assert.Single(response.Messages)).Text);
    }

    [Fact]
    public async Task Non_ascii_status_detail_is_percent_encoded_with_the_grpc_set_only()
    {
        var detail = "Café ☕ 100%, a/b: ok";
        var request = new EchoRequest { Mode = "rpc", Text = detail };
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(request)));

        Assert.Equal("9", response.Status);
        Assert.Equal("Caf%C3%A9 %E2%98%95 100%25, a/b: ok", response.RawMessage);
        Assert.Equal(detail, response.Message);
        Assert.True(response.IsTrailersOnly);
        Assert.Equal("because", response.Headers["x-reason"]);
    }

    [Fact]
    public async Task Handler_exception_ends_with_unknown_without_detail_and_is_logged_as_error()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { Mode = "throw" })));

        Assert.Equal("2", response.Status);
        Assert.Equal("Exception was thrown by handler.", response.Message);
        Assert.Contains(server.Logs.Entries, e => e.Level == LogLevel.Error && e.EventName == "HandlerError" && e.Exception is InvalidOperationException);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Handler_returning_null_ends_with_cancelled()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { Mode = "null" })));

        Assert.Equal("1", response.Status);
        Assert.Equal("No message returned from method.", response.Message);
    }

    [Fact]
    public async Task Response_over_the_send_limit_ends_with_resource_exhausted_trailers_only()
    {
        var request = new EchoRequest { Mode = "big", Count = RpcServerFixture.MaxSendMessageSize + 1 };
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(request)));

        Assert.Equal("8", response.Status);
        Assert.True(response.IsTrailersOnly);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Interceptor_rpc_exception_ends_the_call_trailers_only_before_the_handler()
    {
        var request = new EchoRequest { Id = Guid.NewGuid().ToString(), Text = "x" };
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(request), headers: ("x-deny", "no key")));

        Assert.Equal("16", response.Status);
        Assert.Equal("Denied: no key", response.Message);
        Assert.True(response.IsTrailersOnly);
        Assert.False(server.Probe.HasFired(request.Id, "started"));
    }

    [Fact]
    public async Task Binary_metadata_padded_unpadded_and_comma_joined_round_trips_and_reserved_headers_are_hidden()
    {
        byte[] one = [0xDE, 0xAD, 0xBE, 0xEF];
        byte[] two = [1, 2, 3, 4, 5];
        var unpadded = Convert.ToBase64String(one).TrimEnd('=');
        var padded = Convert.ToBase64String(two);
        var response = await RawGrpc.SendAsync(
            _http,
            RawGrpc.Request(
                RawGrpc.UnaryPath,
                RawGrpc.Frame(new EchoRequest { Mode = "metadata" }),
                "application/grpc",
                ("x-data-bin", unpadded + "," + padded),
                ("x-text", "plain value"),
                ("grpc-timeout", "10S")));

        Assert.Equal("0", response.Status);
        var seenKeys = EchoReply.Parser.ParseFrom(Assert.Single(response.Messages)).Text;
        Assert.DoesNotContain(":path", seenKeys, StringComparison.Ordinal);
        Assert.DoesNotContain("grpc-timeout", seenKeys, StringComparison.Ordinal);
        Assert.DoesNotContain("content-type", seenKeys, StringComparison.Ordinal);
        Assert.DoesNotContain("te;", seenKeys, StringComparison.Ordinal);
        Assert.Contains("x-data-bin;x-data-bin;", seenKeys, StringComparison.Ordinal);

        // Text metadata echoed as response headers (sent before the message), all of it as trailers.
        Assert.Equal("plain value", response.Headers["x-text"]);
        Assert.Equal("plain value", response.Trailers["x-text"]);
        var binaryValues = response.Trailers["x-data-bin"].Split(',');
        Assert.Equal(2, binaryValues.Length);
        Assert.True(Server.Calls.RequestMetadata.TryDecodeBase64(binaryValues[0], out var first));
        Assert.True(Server.Calls.RequestMetadata.TryDecodeBase64(binaryValues[1], out var second));
        Assert.Equal(one, first);
        Assert.Equal(two, second);
    }

    [Fact]
    public async Task Context_reports_peer_method_and_deadline()
    {
        var response = await RawGrpc.SendAsync(
            _http,
            RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { Mode = "peer" }), "application/grpc", ("grpc-timeout", "5S")));

        var text = EchoReply.Parser.ParseFrom(Assert.Single(response.Messages)).Text;
        Assert.StartsWith("ipv4:127.0.0.1:", text, StringComparison.Ordinal);
        Assert.EndsWith(" /optoutgate.rpc.tests.Echo/Unary set", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_stream_error_after_messages_sends_status_in_trailers()
    {
        var response = await RawGrpc.SendAsync(
            _http,
            RawGrpc.Request(RawGrpc.ServerStreamPath, RawGrpc.Frame(new EchoRequest { Mode = "rpc", Count = 2, Text = "s" })));

        Assert.Equal(2, response.Messages.Count);
        Assert.False(response.Headers.ContainsKey("grpc-status"));
        Assert.Equal("10", response.Trailers["grpc-status"]);
        Assert.Equal("after messages", response.Trailers["grpc-message"]);
    }

    [Fact]
    public async Task Finished_calls_are_counted_by_method_and_code()
    {
        var before = server.Metrics.Count("Unary", "FAILED_PRECONDITION");
        await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { Mode = "rpc", Text = "counted" })));

        await server.Metrics.WaitForFinishedAsync("Unary", "FAILED_PRECONDITION", before);
    }

    [Fact]
    public void Percent_encoding_round_trip_matches_the_spec_example()
    {
        Assert.Equal("%E2%82%AC", Rpc.PercentEncoding.Encode("€"));
        Assert.Equal("a%0Ab", Rpc.PercentEncoding.Encode("a\nb"));
        Assert.Equal("ü", Rpc.PercentEncoding.Decode(Rpc.PercentEncoding.Encode("ü")));
    }
}
