using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Calls;

[Collection(RpcServerCollection.Name)]
public sealed class RoutingTests(RpcServerFixture server)
{
    private readonly HttpClient _http = server.Http;
    private readonly byte[] _frame = RawGrpc.Frame(new EchoRequest { Text = "x" });

    [Fact]
    public async Task Unknown_service_answers_unimplemented_trailers_only_with_http_200()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request("/no.such.Service/Method", _frame));

        Assert.Equal(200, response.HttpStatus);
        Assert.Equal("12", response.Status);
        Assert.Equal("Service is unimplemented.", response.Message);
        Assert.True(response.IsTrailersOnly);
        Assert.Equal("application/grpc", response.Headers["content-type"]);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Unknown_method_of_a_known_service_answers_unimplemented_method()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request("/optoutgate.rpc.tests.Echo/NoSuchMethod", _frame));

        Assert.Equal(200, response.HttpStatus);
        Assert.Equal("12", response.Status);
        Assert.Equal("Method is unimplemented.", response.Message);
        Assert.True(response.IsTrailersOnly);
    }

    [Fact]
    public async Task Unbound_method_answers_unimplemented_with_the_service_message()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request("/optoutgate.rpc.tests.Echo/Unbound", _frame));

        Assert.Equal("12", response.Status);
        Assert.Equal("Test method optoutgate.rpc.tests.Echo.Unbound is not bound.", response.Message);
        Assert.True(response.IsTrailersOnly);
        Assert.Equal("application/grpc", response.Headers["content-type"]);
    }

    [Fact]
    public async Task Wrong_content_type_on_a_grpc_route_answers_415_with_grpc_status_internal()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, _frame, contentType: "application/json"));

        Assert.Equal(415, response.HttpStatus);
        Assert.Equal("13", response.Status);
        Assert.Equal("Content-Type 'application/json' is not supported.", response.Message);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Grpc_web_content_type_is_not_taken_for_grpc()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, _frame, contentType: "application/grpc-web"));

        Assert.Equal(415, response.HttpStatus);
    }

    [Fact]
    public async Task Content_type_with_proto_subtype_is_accepted()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, _frame, contentType: "application/grpc+proto"));

        Assert.Equal("0", response.Status);
    }

    [Fact]
    public async Task Non_grpc_post_to_an_unknown_path_falls_through_to_404()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request("/no.such.Service/Method", _frame, contentType: "text/plain"));

        Assert.Equal(404, response.HttpStatus);
        Assert.Null(response.Status);
    }
}
