using Grpc.Core.Interceptors;
using OptOutGate.Server.Replication;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.WebConsole.Calls;

/// <summary>
/// The interceptors of a console call in the order a served call meets them: a replica's write refusal and readiness,
/// then the signed-in key (<see cref="ConsoleAdmission"/> in the tenancy interceptor's place), then status mapping.
/// </summary>
internal sealed class ConsoleChain(Interceptor[] outer, Interceptor statusMapping, ReplicationOptions replication)
{
    public bool IsReplica => replication.IsReplica;

    public string? PrimaryAddress => replication.PrimaryAddress;

    public IReadOnlyList<Interceptor> For(CallIdentity identity) => [.. outer, new ConsoleAdmission(identity), statusMapping];
}
