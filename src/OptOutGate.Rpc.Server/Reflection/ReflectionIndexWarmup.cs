using Microsoft.Extensions.Hosting;

namespace OptOutGate.Rpc.Server.Reflection;

/// <summary>Builds the reflection index at host start, so that a broken descriptor set fails start-up, not the first grpcurl.</summary>
internal sealed class ReflectionIndexWarmup : IHostedService
{
    private readonly ReflectionService _reflection;

    public ReflectionIndexWarmup(ReflectionService reflection)
    {
        _reflection = reflection;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _reflection.Index;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
