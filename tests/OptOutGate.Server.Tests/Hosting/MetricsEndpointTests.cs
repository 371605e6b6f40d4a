using System.Diagnostics;
using Grpc.Health.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Hosting;

[Collection(GateProcessesCollection.Name)]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_AfterCalls_CountThemByMethodAndCode_AndPassPromtool()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var health = new Health.HealthClient(channel);
        for (var i = 0; i < 3; i++)
        {
            await health.CheckAsync(new HealthCheckRequest());
        }

        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(gate.MetricsAddress));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("grpc_server_calls_finished_total{", body, StringComparison.Ordinal);
        Assert.Contains("method=\"Check\"", body, StringComparison.Ordinal);
        Assert.Contains("code=\"OK\"", body, StringComparison.Ordinal);
        Assert.Contains("grpc_server_call_duration_seconds_bucket{", body, StringComparison.Ordinal);
        await AssertPromtoolAcceptsAsync(body);
    }

    private static async Task AssertPromtoolAcceptsAsync(string exposition)
    {
        var info = new ProcessStartInfo("promtool", "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process promtool;
        try
        {
            promtool = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("promtool is not installed: run ./scripts/test.sh (Debian package 'prometheus').", ex);
        }

        using (promtool)
        {
            await promtool.StandardInput.WriteAsync(exposition);
            promtool.StandardInput.Close();
            var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
            await promtool.WaitForExitAsync();
            Assert.True(promtool.ExitCode == 0, "promtool check metrics failed:\n" + output);
        }
    }
}
