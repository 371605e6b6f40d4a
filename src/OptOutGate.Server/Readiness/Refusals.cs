using Grpc.Core;
using OptOutGate.Engine;

namespace OptOutGate.Server.Readiness;

/// <summary>
/// Every UNAVAILABLE the gate answers because it is not in a state to serve, in one wording each: the readiness
/// interceptor's refusals and the engine host's guard (long streams end with their own, saying what was left
/// unanswered: Grpc/StreamEnding). UNAVAILABLE
/// is retryable (statuscodes.md), and nothing is ever answered from a state that is not whole.
/// </summary>
internal static class Refusals
{
    // Loading and Faulted are the engine's own wording (EngineError), which a check refused by the engine answers too.
    public static readonly string Loading = EngineError.Loading.Message;

    public const string Behind = "This OptOutGate replica is behind its primary beyond its bound; retry shortly or on another node.";

    public const string Draining = "OptOutGate is shutting down; retry on another instance.";

    public static readonly string Faulted = EngineError.StoppedApplying.Message;

    /// <summary>Damaged stored data: the damage and what to do follow.</summary>
    public const string DamagedPrefix = "OptOutGate refuses to serve: its stored data is damaged; retry on another node. ";

    public static RpcException Unavailable(string message) => new(new Status(StatusCode.Unavailable, message));
}
