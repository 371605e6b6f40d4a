using Grpc.Core;
using OptOutGate.Server.Grpc;

namespace OptOutGate.Server.Readiness;

/// <summary>
/// Refuses calls with UNAVAILABLE while the gate is loading, behind its primary, damaged or draining: a retryable
/// status (statuscodes.md), and never an answer from a state that is not fully recovered. Health and reflection stay
/// open so that probes and tools can see why.
/// </summary>
internal sealed class ReadinessInterceptor(ServerReadiness readiness) : AdmissionInterceptor
{
    protected override void Admit(ServerCallContext context)
    {
        var state = readiness.State;
        if (state == ReadinessState.Serving || CallMethod.Of(context).IsAlwaysOpen)
        {
            return;
        }

        throw Refusals.Unavailable(state switch
        {
            ReadinessState.Loading => Refusals.Loading,
            ReadinessState.Behind => Refusals.Behind,
            ReadinessState.Damaged => Refusals.DamagedPrefix + readiness.DamageReason,
            _ => Refusals.Draining,
        });
    }
}
