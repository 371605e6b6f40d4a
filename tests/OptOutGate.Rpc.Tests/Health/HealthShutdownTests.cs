using Grpc.Health.V1;
using OptOutGate.Rpc.Client;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Rpc.Tests.Health;

public sealed class HealthShutdownTests
{
    private static readonly Method<HealthCheckRequest, HealthCheckResponse> s_watch =
        Method<HealthCheckRequest, HealthCheckResponse>.From(HealthReflection.Descriptor.Services[0].FindMethodByName("Watch"));

    [Fact]
    public async Task Stopping_the_host_ends_open_watches_after_the_draining_status_instead_of_waiting_for_the_shutdown_timeout()
    {
        var server = new ObservabilityServerFixture();
        await server.InitializeAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = channel.ServerStreamingCall(s_watch, new HealthCheckRequest { Service = "" }, new CallOptions(CancellationToken: cancel.Token));
        Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(ObservabilityTimeouts.Call));
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);

        // What the gate does on ApplicationStopping; then the host stops (its shutdown timeout is 30 s).
        server.Lifetime.ApplicationStopping.Register(() => server.Health.SetServing(false));
        var stopped = server.DisposeAsync();

        Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(ObservabilityTimeouts.Call));
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
        Assert.False(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(ObservabilityTimeouts.Call));
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
        await stopped.WaitAsync(ObservabilityTimeouts.Call);
    }
}
