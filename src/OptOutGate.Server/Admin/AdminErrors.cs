using Grpc.Core;

namespace OptOutGate.Server.Admin;

/// <summary>Throw helpers for the Admin handlers' status codes (admin.proto and common.proto name when each applies).</summary>
internal static class AdminErrors
{
    public static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));

    public static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));

    public static RpcException OutOfRange(string message) => new(new Status(StatusCode.OutOfRange, message));
}
