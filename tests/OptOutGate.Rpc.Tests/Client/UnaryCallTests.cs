using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

[Collection(RpcServerCollection.Name)]
public sealed class UnaryCallTests(RpcServerFixture server) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(server.Address);

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Unary_call_returns_the_response_and_status_ok()
    {
        using var call = _channel.UnaryCall(EchoMethods.Unary, new EchoRequest { Text = "hello", Payload = ByteString.CopyFrom(1, 2, 3) });

        var reply = await call;

        Assert.Equal("hello", reply.Text);
        Assert.Equal(new byte[] { 1, 2, 3 }, reply.Payload.ToByteArray());
        Assert.Equal(Status.Ok, call.GetStatus());
        Assert.Empty(call.GetTrailers());
    }

    [Fact]
    public async Task UnaryAsync_returns_the_response()
    {
        var reply = await _channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "short" });

        Assert.Equal("short", reply.Text);
    }

    [Fact]
    public async Task Metadata_goes_out_as_headers_and_comes_back_as_headers_and_trailers_including_binary()
    {
        var binary = new byte[] { 0, 1, 2, 250, 251, 252, 253 }; // base64 with padding when padded: checks unpadded emit
        var headers = new Metadata { { "x-text", "plain value" }, { "x-data-bin", binary } };
        using var call = _channel.UnaryCall(EchoMethods.Unary, new EchoRequest { Mode = "metadata" }, new CallOptions(Headers: headers));

        var reply = await call;
        var responseHeaders = await call.ResponseHeadersAsync;

        Assert.Contains("x-text;", reply.Text, StringComparison.Ordinal);
        Assert.Contains("x-data-bin;", reply.Text, StringComparison.Ordinal);
        Assert.Equal("plain value", responseHeaders.GetValue("x-text"));
        Assert.Equal("plain value", call.GetTrailers().GetValue("x-text"));
        Assert.Equal(binary, call.GetTrailers().GetBytes("x-data-bin"));
    }

    [Fact]
    public async Task Error_status_carries_code_percent_decoded_message_and_trailers()
    {
        var detail = "Café ☕ 100%, a/b: no";
        using var call = _channel.UnaryCall(EchoMethods.Unary, new EchoRequest { Mode = "rpc", Text = detail });

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(detail, ex.Status.Detail);
        Assert.Equal("because", ex.Trailers.GetValue("x-reason"));
        Assert.Equal(ex.Status, call.GetStatus());
        Assert.Equal("because", call.GetTrailers().GetValue("x-reason"));

        // Trailers-Only: no separate response headers exist, so asking for them reports the failure.
        var headersError = await Assert.ThrowsAsync<RpcException>(() => call.ResponseHeadersAsync);
        Assert.Equal(StatusCode.FailedPrecondition, headersError.StatusCode);
    }

    [Fact]
    public async Task Handler_exception_arrives_as_unknown()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Mode = "throw" }));

        Assert.Equal(new Status(StatusCode.Unknown, "Exception was thrown by handler."), ex.Status);
    }

    [Fact]
    public async Task Unbound_and_unknown_methods_are_unimplemented()
    {
        var unbound = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(EchoMethods.Unbound, new EchoRequest()));
        var unknown = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(new Method<EchoRequest, EchoReply>(MethodType.Unary, "no.such.Service", "Call"), new EchoRequest()));

        Assert.Equal(new Status(StatusCode.Unimplemented, "Test method optoutgate.rpc.tests.Echo.Unbound is not bound."), unbound.Status);
        Assert.Equal(StatusCode.Unimplemented, unknown.StatusCode);
    }

    [Fact]
    public async Task Unauthenticated_from_an_interceptor_reaches_the_client()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(EchoMethods.Unary, new EchoRequest(), new CallOptions(Headers: new Metadata { { "x-deny", "no key" } })));

        Assert.Equal(new Status(StatusCode.Unauthenticated, "Denied: no key"), ex.Status);
    }

    [Fact]
    public async Task Deadline_is_sent_as_grpc_timeout()
    {
        var withDeadline = await _channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Mode = "peer" }, new CallOptions(Deadline: DateTime.UtcNow.AddMinutes(1)));
        var without = await _channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Mode = "peer" });

        Assert.EndsWith("/optoutgate.rpc.tests.Echo/Unary set", withDeadline.Text, StringComparison.Ordinal);
        Assert.EndsWith(" none", without.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gzip_compressed_requests_are_accepted()
    {
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { CompressRequests = true });
        var payload = ByteString.CopyFrom(new byte[10_000]);

        var reply = await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "zipped", Payload = payload });

        Assert.Equal("zipped", reply.Text);
        Assert.Equal(payload, reply.Payload);
    }

    [Fact]
    public async Task Refused_connection_is_unavailable_with_the_socket_error()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{ClosedPort()}");

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.StartsWith("Error starting gRPC call. HttpRequestException:", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("refused", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Other_schemes_are_rejected() =>
        Assert.Throws<ArgumentException>(() => GrpcChannel.ForAddress("ftp://127.0.0.1:1"));

    [Fact]
    public void Calling_a_method_as_another_kind_is_rejected() =>
        Assert.Throws<ArgumentException>(() => _channel.UnaryCall(EchoMethods.ServerStream, new EchoRequest()));

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
