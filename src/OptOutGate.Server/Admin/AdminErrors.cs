using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Writes;
using OptOutGate.Rpc;

namespace OptOutGate.Server.Admin;

/// <summary>Throw helpers for the Admin handlers' status codes (admin.proto and common.proto name when each applies).</summary>
internal static class AdminErrors
{
    public static RpcException InvalidArgument(string message) => new(StatusCode.InvalidArgument, message);

    public static RpcException NotFound(string message) => new(StatusCode.NotFound, message);

    public static RpcException OutOfRange(string message) => new(StatusCode.OutOfRange, message);

    /// <summary>What a write's failure means to the caller: a replica's refusal, a request the pipeline refused, or a log that cannot write.</summary>
    public static RpcException FromWriteFailure(Exception error) => error switch
    {
        WritesRefusedException refused => new RpcException(StatusCode.FailedPrecondition, refused.Message),
        ArgumentException e => new RpcException(StatusCode.InvalidArgument, e.Message),
        ChangeLogFaultedException => new RpcException(StatusCode.Unavailable, "OptOutGate cannot write its change log (see its log); retry on a healthy node."),
        _ => new RpcException(StatusCode.Unavailable, "The change could not be written: " + error.Message),
    };
}
