using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Readiness;

[Collection(DamagedDataProcessesCollection.Name)]
public sealed class StartupAndShutdownTests
{
    [Fact]
    public async Task StartedGate_ReportsServingOnHealthCheck()
    {
        await using var gate = await GateTestServer.StartAsync();

        var response = await gate.Health.CheckAsync(new HealthCheckRequest { Service = string.Empty });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Sigterm_TurnsHealthNotServingThenExitsCleanly()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest { Service = string.Empty });
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);

        gate.Terminate();

        var sawNotServing = false;
        try
        {
            while (!sawNotServing && await watch.ResponseStream.MoveNext())
            {
                sawNotServing = watch.ResponseStream.Current.Status == HealthCheckResponse.Types.ServingStatus.NotServing;
            }
        }
        catch (RpcException)
        {
            // The stream may end with an error once the server goes away; what matters is what came before.
        }

        Assert.True(sawNotServing, "health Watch never reported NOT_SERVING during shutdown\n" + gate.Output);
        await gate.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, gate.ExitCode);
    }

    [Theory]
    [InlineData("Gate:Port", "70000", "Gate:Port 70000 is outside 0-65535")]
    [InlineData("Gate:ListenAddress", "not-an-ip", "Gate:ListenAddress 'not-an-ip' is not an IP address")]
    [InlineData("Gate:CallTimelineCalls", "10", "Gate:CallTimelineCalls 10 is outside 1000-10000000")]
    [InlineData("Gate:TlsCertificatePath", "/nonexistent/cert.pem", "Gate:TlsCertificatePath '/nonexistent/cert.pem' does not exist")]
    public async Task InvalidSetting_StopsStartupWithAClearMessage(string key, string value, string expected)
    {
        await using var gate = GateProcess.StartRaw(new Dictionary<string, string>
        {
            ["Gate:Port"] = "0",
            ["Gate:MetricsPort"] = "-1",
            ["Gate:HttpPort"] = "-1",
            [key] = value,
        });

        await gate.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, gate.ExitCode);
        Assert.Contains(expected, gate.Output, StringComparison.Ordinal);
    }
}
