using Prometheus;

namespace OptOutGate.Server.Metrics;

internal static class MetricsServiceCollectionExtensions
{
    /// <summary>
    /// The host's Prometheus registry (its own, so that hosts in one process do not mix their series): the gate's
    /// meters through <see cref="MeterExport"/>, and prometheus-net's process metrics (CPU, memory, start time,
    /// threads, GC), served by <see cref="MapGateMetrics"/>.
    /// </summary>
    public static IServiceCollection AddGateMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton(static _ =>
        {
            var registry = Prometheus.Metrics.NewCustomRegistry();
            DotNetStats.Register(registry);
            return registry;
        });
        services.AddSingleton(static sp => new MeterExport(
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<CollectorRegistry>()));
        return services;
    }

    /// <summary>GET /metrics in the Prometheus text format (prometheus-net.AspNetCore), listening to the meters from now on.</summary>
    public static IEndpointConventionBuilder MapGateMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        // Created here, before the host starts, so that every instrument is followed from its first measurement.
        endpoints.ServiceProvider.GetRequiredService<MeterExport>();
        var registry = endpoints.ServiceProvider.GetRequiredService<CollectorRegistry>();
        return endpoints.MapMetrics(settings => settings.Registry = registry, "/metrics");
    }
}
