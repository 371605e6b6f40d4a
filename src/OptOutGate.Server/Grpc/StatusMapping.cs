using Grpc.Core;
using OptOutGate.Engine;
using OptOutGate.Engine.Storage;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// The one place where the engine's errors become gRPC statuses (common.proto names when each applies). Handlers let
/// engine exceptions travel; <see cref="StatusMappingInterceptor"/> maps them for every call, and the pipelined streams
/// (CheckStream, StreamMo), which answer an error per item, map the same way through <see cref="ForWriteFailure"/>.
/// </summary>
internal static class StatusMapping
{
    /// <summary>The status of an engine error anywhere in <paramref name="exception"/>'s chain; false for anything else.</summary>
    public static bool TryMap(Exception exception, out Status status)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // A record or snapshot that fails its checksum: "unrecoverable data loss or corruption", with where it
                // is and what to do (the damage was logged and counted where it was found; the engine host turns the
                // gate NOT_SERVING when checks depend on it).
                case DataDamagedException damage:
                    status = new Status(StatusCode.DataLoss, damage.Message);
                    return true;

                // A replica refuses every write, a CONFIRMATION's window included: the primary takes them.
                case WritesRefusedException refused:
                    status = new Status(StatusCode.FailedPrecondition, refused.Message);
                    return true;
                case ChangeLogFaultedException:
                    status = new Status(StatusCode.Unavailable, "OptOutGate cannot write its change log (see its log); retry on a healthy node.");
                    return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>
    /// What a failed durable write (an Admin change, a workflow step, a CONFIRMATION's window) tells its caller: an engine
    /// error as <see cref="TryMap"/> says, a request the write pipeline refused as INVALID_ARGUMENT, anything else
    /// UNAVAILABLE (nothing was acknowledged, so a retry is safe). Never an answer that pretends the write happened.
    /// </summary>
    public static RpcException ForWriteFailure(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is RpcException rpc)
        {
            return rpc;
        }

        if (TryMap(error, out var status))
        {
            return new RpcException(status);
        }

        return error is ArgumentException invalid
            ? new RpcException(new Status(StatusCode.InvalidArgument, invalid.Message))
            : new RpcException(new Status(StatusCode.Unavailable, "The change could not be written durably (" + error.Message + "); nothing was recorded: retry."));
    }

    /// <summary>
    /// The status of an error the engine returns as a value (<see cref="EngineError"/>: an MO it did not record, a
    /// check it could not answer), for unary calls and the pipelined streams alike; mo.proto and gate.proto name them.
    /// </summary>
    public static StatusCode Of(EngineErrorKind kind) => kind switch
    {
        EngineErrorKind.Invalid => StatusCode.InvalidArgument,
        EngineErrorKind.NotFound => StatusCode.NotFound,
        EngineErrorKind.OutOfRange => StatusCode.OutOfRange,
        EngineErrorKind.ReadOnly => StatusCode.FailedPrecondition,
        EngineErrorKind.DeadlineExceeded => StatusCode.DeadlineExceeded,
        _ => StatusCode.Unavailable,
    };

    /// <summary><paramref name="error"/> as the exception a unary handler throws: its status, the engine's wording as the detail.</summary>
    public static RpcException Exception(EngineError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new RpcException(new Status(Of(error.Kind), error.Message));
    }
}
