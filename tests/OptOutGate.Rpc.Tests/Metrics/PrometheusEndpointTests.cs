using Grpc.Health.V1;
using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.Health;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Metrics;

/// <summary>A real scrape over HTTP/1.1 of a host that has served calls.</summary>
public sealed class PrometheusEndpointTests(ObservabilityServerFixture server) : IClassFixture<ObservabilityServerFixture>, IDisposable
{
    private static readonly Method<EchoRequest, EchoReply> s_unary = Method<EchoRequest, EchoReply>.From(EchoService.Descriptor.FindMethodByName("Unary"));
    private static readonly Method<HealthCheckRequest, HealthCheckResponse> s_check =
        Method<HealthCheckRequest, HealthCheckResponse>.From(HealthReflection.Descriptor.Services[0].FindMethodByName("Check"));

    private readonly HttpClient _http = new() { Timeout = ObservabilityTimeouts.Call };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Scrape_after_calls_has_the_call_metrics_and_passes_promtool()
    {
        var body = await ScrapeAfterCallsAsync();

        Assert.Contains("# TYPE grpc_server_calls_finished_total counter\n", body, StringComparison.Ordinal);
        Assert.Contains("grpc_server_calls_finished_total{code=\"OK\",method=\"Unary\",service=\"optoutgate.rpc.tests.Echo\"} ", body, StringComparison.Ordinal);
        Assert.Contains("grpc_server_calls_finished_total{code=\"NOT_FOUND\",method=\"Check\",service=\"grpc.health.v1.Health\"} ", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE grpc_server_call_duration_seconds histogram\n", body, StringComparison.Ordinal);
        Assert.Contains("grpc_server_call_duration_seconds_bucket{code=\"OK\",method=\"Unary\",service=\"optoutgate.rpc.tests.Echo\",le=\"+Inf\"} ", body, StringComparison.Ordinal);
        Assert.Contains("\nprocess_cpu_seconds_total ", body, StringComparison.Ordinal);
        Assert.Contains("\nprocess_resident_memory_bytes ", body, StringComparison.Ordinal);
        Assert.Contains("\nprocess_start_time_seconds ", body, StringComparison.Ordinal);
        Assert.Contains("\ndotnet_gc_heap_size_bytes ", body, StringComparison.Ordinal);

        var promtool = PromTool.Find();
        Assert.True(promtool is not null, "promtool is not on PATH: install the Debian package 'prometheus' (apt-get install -y prometheus). CI must have it; this test does not skip.");
        var (exitCode, output) = await PromTool.CheckMetricsAsync(promtool, body, ObservabilityTimeouts.Call);
        Assert.True(exitCode == 0, $"promtool check metrics exited {exitCode}:\n{output}\n--- scraped ---\n{body}");
    }

    [Fact]
    public async Task Scrape_has_the_exposition_content_type()
    {
        using var response = await _http.GetAsync(new Uri(server.MetricsAddress, "/metrics"));

        response.EnsureSuccessStatusCode();
        Assert.Equal(new Version(1, 1), response.Version);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
    }

    private async Task<string> ScrapeAfterCallsAsync()
    {
        var okBefore = server.Calls.Count("Unary", "OK");
        var notFoundBefore = server.Calls.Count("Check", "NOT_FOUND");
        var deadline = new CallOptions(Deadline: DateTime.UtcNow + ObservabilityTimeouts.Call);
        await server.Channel.UnaryAsync(s_unary, new EchoRequest { Text = "a" }, deadline);
        await Assert.ThrowsAsync<RpcException>(() => server.Channel.UnaryAsync(s_check, new HealthCheckRequest { Service = "no.such.Service" }, deadline));

        // The client has its answer before the server records the call's end: wait for the record itself.
        await server.Calls.WaitForFinishedAsync("Unary", "OK", okBefore);
        await server.Calls.WaitForFinishedAsync("Check", "NOT_FOUND", notFoundBefore);

        return await _http.GetStringAsync(new Uri(server.MetricsAddress, "/metrics"));
    }
}
