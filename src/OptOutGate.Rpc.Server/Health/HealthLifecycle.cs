using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OptOutGate.Rpc.Server.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Rpc.Server.Health;

/// <summary>
/// Gives each served service a health entry at host start. Not done when the registry is created, because the
/// service registry is built from factories that include the health service's own, which needs the registry.
/// </summary>
internal sealed class HealthServicesRegistration : IHostedService
{
    private readonly HealthStatusRegistry _health;
    private readonly RpcServiceRegistry _services;
    private readonly RpcHealthOptions _options;

    public HealthServicesRegistration(HealthStatusRegistry health, RpcServiceRegistry services, IOptions<RpcHealthOptions> options)
    {
        _health = health;
        _services = services;
        _options = options.Value;
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
