using OptOutGate.Rpc;
using OptOutGate.Rpc.Server;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Server.Readiness;

/// <summary>
/// Refuses calls with UNAVAILABLE while the gate is loading, draining or damaged: a retryable status (statuscodes.md,
/// and retried elsewhere), and never an answer from a state that is not fully recovered. Health and reflection stay open so that probes and
/// tools can see why.
/// </summary>
internal sealed class ReadinessInterceptor(ServerReadiness readiness) : IRpcCallInterceptor
{
    public ValueTask OnCallStartingAsync(ServerMethodDefinition method, ServerCallContext context)
    {
        var state = readiness.State;
        if (state == ReadinessState.Serving || IsAlwaysOpen(method.ServiceName))
        {
            return ValueTask.CompletedTask;
        }

        var why = state switch
        {
            ReadinessState.Loading => "OptOutGate is loading its state and not serving yet; retry shortly.",
            ReadinessState.Behind => "This OptOutGate replica is behind its primary beyond its bound; retry shortly or on another node.",
            ReadinessState.Damaged => "OptOutGate refuses to serve: its stored data is damaged; retry on another node. " + readiness.DamageReason,
            _ => "OptOutGate is shutting down; retry on another instance.",
        };
        throw new RpcException(StatusCode.Unavailable, why);
    }

    private static bool IsAlwaysOpen(string service) =>
        service.StartsWith("grpc.health.", StringComparison.Ordinal) || service.StartsWith("grpc.reflection.", StringComparison.Ordinal);
}
