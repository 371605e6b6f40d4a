using OptOutGate.Engine;
using OptOutGate.Rpc;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// The engine's errors (<see cref="EngineError"/>, returned as values) as gRPC statuses: one mapping for every service,
/// with the engine's message as the status detail.
/// </summary>
internal static class EngineErrors
{
    public static StatusCode StatusOf(EngineErrorKind kind) => kind switch
    {
        EngineErrorKind.Invalid => StatusCode.InvalidArgument,
        EngineErrorKind.NotFound => StatusCode.NotFound,
        EngineErrorKind.OutOfRange => StatusCode.OutOfRange,
        EngineErrorKind.ReadOnly => StatusCode.FailedPrecondition,
        EngineErrorKind.DeadlineExceeded => StatusCode.DeadlineExceeded,
        _ => StatusCode.Unavailable,
    };

    public static RpcException Exception(EngineError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new RpcException(StatusOf(error.Kind), error.Message);
    }
}
