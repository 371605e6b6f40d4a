using Grpc.Core;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Replication;

/// <summary>
/// On a replica, refuses every write before anything else looks at it: Mo (RecordMo, StreamMo) and every Admin method
/// that changes state, with FAILED_PRECONDITION naming the primary (common.proto). Whether a method writes is decided
/// by the same rule the key roles use (<see cref="MethodRoles.IsReadOnlyAdminMethod"/>). A CONFIRMATION check, which
/// spends a window, is refused further down: the replica's write pipeline refuses every write.
/// </summary>
internal sealed class ReplicaWriteInterceptor(ReplicationOptions options) : AdmissionInterceptor
{
    private readonly Status _refusal = new(
        StatusCode.FailedPrecondition,
        $"This OptOutGate node is a read-only replica; send writes to the primary at {options.PrimaryAddress}.");

    protected override void Admit(ServerCallContext context)
    {
        var method = CallMethod.Of(context);
        var writes = method.Service switch
        {
            MethodRoles.MoService => true,
            MethodRoles.AdminService => !MethodRoles.IsReadOnlyAdminMethod(method.Name),
            _ => false,
        };
        if (writes)
        {
            throw new RpcException(_refusal);
        }
    }
}
