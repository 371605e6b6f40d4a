using OptOutGate.Rpc;
using OptOutGate.Rpc.Server;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Services;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Replication;

/// <summary>
/// On a replica, refuses every write before anything else looks at it: Mo (RecordMo, StreamMo) and every Admin method
/// that changes state, with FAILED_PRECONDITION naming the primary (common.proto). Whether a method writes is decided
/// by the same rule the key roles use (<see cref="MethodRoles.IsReadOnlyAdminMethod"/>). A CONFIRMATION check, which
/// spends a window, is refused further down: the replica's write pipeline refuses every write.
/// </summary>
internal sealed class ReplicaWriteInterceptor(string primaryAddress) : IRpcCallInterceptor
{
    private readonly string _message = $"This OptOutGate node is a read-only replica; send writes to the primary at {primaryAddress}.";

    public ValueTask OnCallStartingAsync(ServerMethodDefinition method, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(method);
        var writes = method.ServiceName switch
        {
            MethodRoles.MoService => true,
            MethodRoles.AdminService => !MethodRoles.IsReadOnlyAdminMethod(method.MethodName),
            _ => false,
        };
        return writes ? throw new RpcException(StatusCode.FailedPrecondition, _message) : ValueTask.CompletedTask;
    }
}
