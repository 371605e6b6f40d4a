using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OptOutGate.Rpc.Server.Metrics.Prometheus;

namespace OptOutGate.Rpc.Server.Metrics;

public static class PrometheusEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the metrics in the Prometheus text format 0.0.4 on GET <paramref name="pattern"/>. The returned
    /// builder restricts where it is served, e.g. <c>.RequireHost("*:9090")</c> for a separate metrics port.
    /// </summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        if (endpoints.ServiceProvider.GetService<PrometheusCollector>() is null)
        {
            throw new InvalidOperationException("Call services.AddPrometheusMetrics() before endpoints.MapPrometheusMetrics().");
        }

        return endpoints.MapGet(pattern, static (HttpContext context) =>
        {
            var text = context.RequestServices.GetRequiredService<PrometheusCollector>().Collect();
            context.Response.ContentType = PrometheusText.ContentType;
            return context.Response.WriteAsync(text, context.RequestAborted);
        }).WithDisplayName("Prometheus metrics");
    }
}
