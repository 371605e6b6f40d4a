using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OptOutGate.Rpc.Server.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Rpc.Server.Health;

/// <summary>
/// At host start, gives each served service a health entry (not when the registry is created: the service registry
/// is built from factories that include the health service's own, which needs the registry).
/// At shutdown, ends the Watch calls, which would otherwise hold Kestrel's graceful shutdown until its timeout.
/// </summary>
internal sealed class HealthLifecycle : IHostedService
{
    private readonly HealthStatusRegistry _health;
    private readonly RpcServiceRegistry _services;
    private readonly RpcHealthOptions _options;

    public HealthLifecycle(HealthStatusRegistry health, RpcServiceRegistry services, IOptions<RpcHealthOptions> options, IHostApplicationLifetime lifetime)
    {
        _health = health;
        _services = services;
        _options = options.Value;

        // Not StopAsync: the web server, registered after this service, is stopped (drained) before it. Not
        // IHostedLifecycleService.StoppingAsync: that runs before ApplicationStopping, where the host flips to
        // NOT_SERVING. Registered here, before any hosted service starts, the callback runs after those registered
        // at start-up (a token runs its callbacks last-registered first), so watchers get NOT_SERVING, then the end.
        lifetime.ApplicationStopping.Register(static health => ((HealthStatusRegistry)health!).CompleteWatches(), health);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.RegisterServices)
        {
            return Task.CompletedTask;
        }

        // A service follows the server's status as it is now: the host may already have set NOT_SERVING to load.
        var initial = _health.TryGetStatus(HealthStatusRegistry.Server, out var server)
            ? server
            : _options.InitiallyServing ? ServingStatus.Serving : ServingStatus.NotServing;
        foreach (var service in _services.Services)
        {
            if (!_health.TryGetStatus(service.Descriptor.FullName, out _))
            {
                _health.SetStatus(service.Descriptor.FullName, initial);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
