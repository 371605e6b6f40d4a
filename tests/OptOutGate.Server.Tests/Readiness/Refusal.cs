using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Readiness;

/// <summary>What a gate that refuses to serve over damaged data looks like from outside.</summary>
public static class Refusal
{
    /// <summary>The gate's overall health status.</summary>
    public static async Task<HealthCheckResponse.Types.ServingStatus> HealthAsync(GrpcChannel channel) =>
        (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status;

    /// <summary>Starts the gate on a damaged folder and waits until it says it refuses.</summary>
    public static async Task<GateProcess> StartRefusingAsync(string dataDirectory, IDictionary<string, string>? settings = null)
    {
        var gate = await GateProcess.StartAsync(settings, dataDirectory, waitUntilServing: false);
        await gate.WaitForOutputAsync("The gate refuses to serve", TimeSpan.FromSeconds(60));
        await gate.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
        return gate;
    }

    /// <summary>
    /// Health NOT_SERVING; every method of the four v1 services UNAVAILABLE, naming the damage; the log names each of
    /// <paramref name="expected"/> (the file, the range, what to do); the process still running.
    /// </summary>
    public static async Task AssertRefusingAsync(GateProcess gate, params string[] expected)
    {
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await HealthAsync(channel));

        FileDescriptor[] files = [GateReflection.Descriptor, AdminReflection.Descriptor, MoReflection.Descriptor, ChangesReflection.Descriptor];
        foreach (var service in files.SelectMany(f => f.Services))
        {
            foreach (var method in service.Methods)
            {
                var status = await Calls.CallEmptyAsync(channel, method, TimeSpan.FromSeconds(10));
                Assert.True(status.StatusCode == StatusCode.Unavailable, $"{service.Name}/{method.Name}: {status}");
                Assert.Contains("refuses to serve: its stored data is damaged", status.Detail, StringComparison.Ordinal);
            }
        }

        foreach (var text in expected)
        {
            Assert.Contains(text, gate.Output, StringComparison.Ordinal);
        }

        Assert.False(gate.HasExited, "a gate that refuses stays up so that its health says why:\n" + gate.Output);
    }
}
