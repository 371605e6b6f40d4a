using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OptOutGate.Rpc.Server.Metrics;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Hosting;

public static class RpcServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the server layer: <see cref="RpcServerOptions"/> (validated at start), <see cref="RpcServerMetrics"/>,
    /// the <see cref="RpcServiceRegistry"/> and a <see cref="TimeProvider"/>. Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddRpcServer(this IServiceCollection services, Action<RpcServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RpcServerOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RpcServerOptions>, RpcServerOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<RpcServerMetrics>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RpcServiceRegistry(sp.GetServices<RpcServiceRegistration>(), sp));
        return services;
    }

    /// <summary>Adds a service; <paramref name="factory"/> runs once, when the registry is first resolved.</summary>
    public static IServiceCollection AddRpcService(this IServiceCollection services, Func<IServiceProvider, ServiceDefinition> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(new RpcServiceRegistration(factory));
        return services;
    }
}
