using Grpc.Core;
using Grpc.Health.V1;
using OptOutGate.Server.Tests.Infrastructure;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Server.Tests.Grpc;

/// <summary>grpc.health.v1 as load balancers and orchestrators use it: Check, and Watch following the gate's readiness.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Watch_SaysServing_ThenNotServingWhenTheGateDrains()
    {
        var gate = await GateTestServer.StartAsync();
        try
        {
            using var watch = gate.Health.Watch(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(60));
            Assert.True(await watch.ResponseStream.MoveNext());
            Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);

            var stopping = gate.StopAsync();
            var sawNotServing = false;
            try
            {
                while (!sawNotServing && await watch.ResponseStream.MoveNext())
                {
                    sawNotServing = watch.ResponseStream.Current.Status == ServingStatus.NotServing;
                }
            }
            catch (RpcException)
            {
                // The stream may end with an error as the gate goes away; what matters is what came before.
            }

            Assert.True(sawNotServing, "health Watch never said NOT_SERVING while the gate drained\n" + gate.Output);
            await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await gate.DisposeAsync();
        }
    }

    [Fact]
    public async Task Check_OfTheGate_IsServing_AndOfAnUnknownService_IsNotFound()
    {
        await using var gate = await GateTestServer.StartAsync();

        Assert.Equal(ServingStatus.Serving, (await gate.Health.CheckAsync(new HealthCheckRequest())).Status);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => gate.Health.CheckAsync(new HealthCheckRequest { Service = "optoutgate.v1.NoSuchService" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }
}
