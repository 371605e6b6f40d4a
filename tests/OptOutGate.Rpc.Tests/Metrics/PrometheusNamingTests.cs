using System.Diagnostics.Metrics;
using OptOutGate.Rpc.Server.Metrics.Prometheus;
using Xunit;

namespace OptOutGate.Rpc.Tests.Metrics;

public sealed class PrometheusNamingTests
{
    [Theory]
    [InlineData("grpc_server_call_duration", "s", false, "grpc_server_call_duration_seconds")]
    [InlineData("grpc_server_call_duration_seconds", "s", false, "grpc_server_call_duration_seconds")]
    [InlineData("grpc_server_calls_started", "{call}", true, "grpc_server_calls_started_total")]
    [InlineData("grpc_server_calls_total", "{call}", true, "grpc_server_calls_total")]
    [InlineData("process_cpu", "s", true, "process_cpu_seconds_total")]
    [InlineData("cpu_total", "s", true, "cpu_seconds_total")]
    [InlineData("heap", "By", false, "heap_bytes")]
    [InlineData("http.server.request-size", "By", false, "http_server_request_size_bytes")]
    [InlineData("9lives", null, false, "_9lives")]
    [InlineData("ns:rule", "ms", false, "ns:rule")]
    public void Metric_names_are_sanitized_and_suffixed(string name, string? unit, bool isCounter, string expected)
    {
        using var meter = new Meter("naming");
        var instrument = meter.CreateCounter<long>(name, unit);

        Assert.Equal(expected, PrometheusNaming.MetricName(instrument, isCounter));
    }

    [Theory]
    [InlineData("http.route", "http_route")]
    [InlineData("ns:label", "ns_label")]
    [InlineData("ok_1", "ok_1")]
    [InlineData("1st", "_1st")]
    public void Label_names_are_sanitized(string name, string expected)
        => Assert.Equal(expected, PrometheusNaming.SanitizeLabelName(name));
}
