using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OptOutGate.Rpc.Server.Metrics.Prometheus;

namespace OptOutGate.Rpc.Server.Metrics;

public static class PrometheusServiceCollectionExtensions
{
    /// <summary>
    /// Collects the meters named <see cref="PrometheusMetricsOptions.MeterPrefix"/>* (and the process meter) from
    /// host start-up on, for <see cref="PrometheusEndpointRouteBuilderExtensions.MapPrometheusMetrics"/>.
    /// </summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services, Action<PrometheusMetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        var options = services.AddOptions<PrometheusMetricsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(static o => !string.IsNullOrEmpty(o.MeterPrefix), "PrometheusMetricsOptions.MeterPrefix must not be empty.")
            .Validate(static o => o.MaxSeriesPerInstrument > 0, "PrometheusMetricsOptions.MaxSeriesPerInstrument must be positive.")
            .Validate(static o => o.DefaultHistogramBoundaries is { Count: > 0 }, "PrometheusMetricsOptions.DefaultHistogramBoundaries must not be empty.")
            .ValidateOnStart();
        services.TryAddSingleton<PrometheusCollector>();
        services.TryAddSingleton<ProcessMetrics>();
        services.AddHostedService<PrometheusCollectorStarter>();
        return services;
    }
}
