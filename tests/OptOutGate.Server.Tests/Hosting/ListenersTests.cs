using Grpc.Health.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Hosting;

/// <summary>
/// Ports of 0 let the system pick free ones as the gate binds them; the gate then names what it bound in one start-up
/// line ("Listening: gRPC on …"), so whoever started it (an operator, a script, these tests) can reach each listener.
/// </summary>
[Collection(GateProcessesCollection.Name)]
public sealed class ListenersTests
{
    [Fact]
    public async Task EveryPortZero_BindsThreeFreePorts_NamedInTheListeningLine_EachServingItsListener()
    {
        await using var gate = await GateProcess.StartAsync(new Dictionary<string, string>
        {
            ["Gate:Port"] = "0",
            ["Gate:HttpPort"] = "0",
            ["Gate:MetricsPort"] = "0",
        });

        Assert.Contains($"Listening: gRPC on http://127.0.0.1:{gate.Port}, JSON/REST API and console on http://127.0.0.1:{gate.HttpPort}, metrics on http://127.0.0.1:{gate.MetricsPort}", gate.Output, StringComparison.Ordinal);
        Assert.Equal(3, new[] { gate.Port, gate.HttpPort, gate.MetricsPort }.Where(p => p > 0).Distinct().Count());
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var openApi = await http.GetAsync(new Uri(gate.HttpAddress + "/openapi/v1.json"));
        var metrics = await http.GetStringAsync(new Uri(gate.MetricsAddress));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(System.Net.HttpStatusCode.OK, openApi.StatusCode);
        Assert.Contains("# TYPE", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListenersTurnedOff_AreNamedOff_InTheListeningLine()
    {
        await using var gate = await GateProcess.StartAsync(new Dictionary<string, string>
        {
            ["Gate:HttpPort"] = "-1",
            ["Gate:MetricsPort"] = "-1",
        });

        Assert.Contains($"Listening: gRPC on http://127.0.0.1:{gate.Port}, JSON/REST API and console on off, metrics on off", gate.Output, StringComparison.Ordinal);
        Assert.Equal(-1, gate.HttpPort);
        Assert.Equal(-1, gate.MetricsPort);
    }
}
