using Grpc.Health.V1;
using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Rpc.Tests.Health;

public sealed class HealthServiceTests(ObservabilityServerFixture server) : IClassFixture<ObservabilityServerFixture>
{
    private static readonly Method<HealthCheckRequest, HealthCheckResponse> s_check = Method<HealthCheckRequest, HealthCheckResponse>.From(Descriptor("Check"));
    private static readonly Method<HealthListRequest, HealthListResponse> s_list = Method<HealthListRequest, HealthListResponse>.From(Descriptor("List"));
    private static readonly Method<HealthCheckRequest, HealthCheckResponse> s_watch = Method<HealthCheckRequest, HealthCheckResponse>.From(Descriptor("Watch"));

    [Fact]
    public async Task Check_of_the_server_is_serving()
    {
        var response = await server.Channel.UnaryAsync(s_check, new HealthCheckRequest { Service = "" }, Deadline());

        Assert.Equal(ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Check_of_a_served_service_is_serving()
    {
        var response = await server.Channel.UnaryAsync(s_check, new HealthCheckRequest { Service = EchoService.Descriptor.FullName }, Deadline());

        Assert.Equal(ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Check_of_an_unknown_service_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(
            () => server.Channel.UnaryAsync(s_check, new HealthCheckRequest { Service = "no.such.Service" }, Deadline()));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Check_reports_not_serving_while_the_registry_says_so()
    {
        server.Health.SetStatus("test.Draining", ServingStatus.NotServing);

        var response = await server.Channel.UnaryAsync(s_check, new HealthCheckRequest { Service = "test.Draining" }, Deadline());

        Assert.Equal(ServingStatus.NotServing, response.Status);
    }

    [Fact]
    public async Task List_has_the_server_and_every_served_service()
    {
        var response = await server.Channel.UnaryAsync(s_list, new HealthListRequest(), Deadline());

        Assert.Equal(ServingStatus.Serving, response.Statuses[""].Status);
        Assert.Equal(ServingStatus.Serving, response.Statuses[EchoService.Descriptor.FullName].Status);
        Assert.Equal(ServingStatus.Serving, response.Statuses["grpc.health.v1.Health"].Status);
        Assert.Equal(ServingStatus.Serving, response.Statuses["grpc.reflection.v1.ServerReflection"].Status);
    }

    [Fact]
    public async Task Watch_sends_the_current_status_then_each_change()
    {
        server.Health.SetStatus("test.Watched", ServingStatus.Serving);
        using var cancel = new CancellationTokenSource(ObservabilityTimeouts.Call);
        using var call = server.Channel.ServerStreamingCall(s_watch, new HealthCheckRequest { Service = "test.Watched" }, new CallOptions(CancellationToken: cancel.Token));

        Assert.Equal(ServingStatus.Serving, await NextAsync(call));
        server.Health.SetStatus("test.Watched", ServingStatus.NotServing);
        Assert.Equal(ServingStatus.NotServing, await NextAsync(call));
        server.Health.SetStatus("test.Watched", ServingStatus.Serving);
        Assert.Equal(ServingStatus.Serving, await NextAsync(call));
    }

    [Fact]
    public async Task Watch_of_an_unknown_service_says_service_unknown_and_stays_open_until_the_client_leaves()
    {
        var before = server.Calls.Count("Watch", "CANCELLED");
        using var cancel = new CancellationTokenSource(ObservabilityTimeouts.Call);
        var call = server.Channel.ServerStreamingCall(s_watch, new HealthCheckRequest { Service = "test.Later" }, new CallOptions(CancellationToken: cancel.Token));

        Assert.Equal(ServingStatus.ServiceUnknown, await NextAsync(call));
        server.Health.SetStatus("test.Later", ServingStatus.Serving);
        Assert.Equal(ServingStatus.Serving, await NextAsync(call));

        call.Dispose();
        await server.Calls.WaitForFinishedAsync("Watch", "CANCELLED", before);
    }

    private static async Task<ServingStatus> NextAsync(AsyncServerStreamingCall<HealthCheckResponse> call)
    {
        Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(ObservabilityTimeouts.Call));
        return call.ResponseStream.Current.Status;
    }

    private static CallOptions Deadline() => new(Deadline: DateTime.UtcNow + ObservabilityTimeouts.Call);

    private static Google.Protobuf.Reflection.MethodDescriptor Descriptor(string name) => HealthReflection.Descriptor.Services[0].FindMethodByName(name);
}
