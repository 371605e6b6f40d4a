using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OptOutGate.Rpc.Server.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Rpc.Server.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// Serves grpc.health.v1.Health from a singleton <see cref="HealthStatusRegistry"/> (resolve it to change
    /// statuses). <c>""</c> is registered at once; each served service is registered when the host starts. Watch
    /// calls end (with OK, after the latest status) when the host stops, so they do not delay graceful shutdown.
    /// Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddRpcHealth(this IServiceCollection services, Action<RpcHealthOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RpcHealthOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(static d => d.ServiceType == typeof(HealthService)))
        {
            return services;
        }

        services.AddRpcServer();
        services.TryAddSingleton(static sp =>
        {
            var registry = new HealthStatusRegistry(sp.GetRequiredService<ILogger<HealthStatusRegistry>>());
            var serving = sp.GetRequiredService<IOptions<RpcHealthOptions>>().Value.InitiallyServing;
            registry.SetStatus(HealthStatusRegistry.Server, serving ? ServingStatus.Serving : ServingStatus.NotServing);
            return registry;
        });
        services.AddSingleton<HealthService>();
        services.AddRpcService(static sp => sp.GetRequiredService<HealthService>().CreateDefinition());
        services.AddHostedService<HealthLifecycle>();
        return services;
    }
}
