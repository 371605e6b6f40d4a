using Grpc.HealthCheck;
using HealthContract = Grpc.Health.V1.Health;
using ReflectionV1 = Grpc.Reflection.V1.ServerReflection;
using ReflectionV1Alpha = Grpc.Reflection.V1Alpha.ServerReflection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Server.Readiness;

/// <summary>
/// Ties readiness to the host's lifetime and to grpc.health.v1 (Grpc.HealthCheck's <see cref="HealthServiceImpl"/>):
/// SERVING once the engine host has recovered the state and the host has started (Readiness/GateEngineHost marks it),
/// NOT_SERVING while loading, behind, damaged, and from the moment shutdown begins, so load balancers stop sending
/// before in-flight calls are drained. Every change reaches Check and every Watch at once: the statuses are set here,
/// not by Grpc.AspNetCore.HealthChecks' publisher, which polls health checks every 30 s. Watch calls end when the host
/// stops (Grpc.AspNetCore.HealthChecks' service does that), so they do not hold up the drain.
/// </summary>
internal sealed partial class ReadinessLifecycle(
    ServerReadiness readiness,
    HealthServiceImpl health,
    IHostApplicationLifetime lifetime,
    ILogger<ReadinessLifecycle> logger) : IHostedService
{
    /// <summary>
    /// The names health answers for: the whole server (<c>""</c>) and every service it serves. All follow readiness
    /// (health and reflection answer whatever the state, but report the server's state like the rest).
    /// </summary>
    public static readonly string[] ServiceNames =
    [
        "",
        Contracts.V1.Gate.Descriptor.FullName,
        Contracts.V1.Mo.Descriptor.FullName,
        Contracts.V1.Admin.Descriptor.FullName,
        Contracts.V1.Changes.Descriptor.FullName,
        HealthContract.Descriptor.FullName,
        ReflectionV1.Descriptor.FullName,
        ReflectionV1Alpha.Descriptor.FullName,
    ];

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
        var status = state == ReadinessState.Serving ? ServingStatus.Serving : ServingStatus.NotServing;
        foreach (var name in ServiceNames)
        {
            health.SetStatus(name, status);
        }

        LogReadiness(logger, state);
    }

    [LoggerMessage(EventId = EventIds.Readiness + 21, EventName = "ReadinessChanged", Level = LogLevel.Information, Message = "Gate readiness is now {State}")]
    private static partial void LogReadiness(ILogger logger, ReadinessState state);
}
