using OptOutGate.Rpc.Server.Health;

namespace OptOutGate.Server.Readiness;

/// <summary>
/// Ties readiness to the host's lifetime and to health: SERVING once the engine host has recovered the state and the
/// host has started (Readiness/GateEngineHost marks it), NOT_SERVING from the moment shutdown begins, so load balancers
/// stop sending before in-flight calls are drained.
/// </summary>
internal sealed partial class ReadinessLifecycle(
    ServerReadiness readiness,
    HealthStatusRegistry health,
    IHostApplicationLifetime lifetime,
    ILogger<ReadinessLifecycle> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        readiness.Changed += OnReadinessChanged;
        OnReadinessChanged(readiness.State);
        lifetime.ApplicationStopping.Register(readiness.MarkDraining);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void OnReadinessChanged(ReadinessState state)
    {
        health.SetServing(state == ReadinessState.Serving);
        LogReadiness(logger, state);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Gate readiness is now {State}")]
    private static partial void LogReadiness(ILogger logger, ReadinessState state);
}
