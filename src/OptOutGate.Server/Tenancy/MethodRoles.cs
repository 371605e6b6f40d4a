namespace OptOutGate.Server.Tenancy;

/// <summary>
/// Which roles may call which method (common.proto, "Tenancy"). A method needs any one of the roles returned;
/// <see cref="ApiRoles.None"/> means no key may call it, which is what an unknown service gets, so a service added
/// without a rule here fails closed.
/// </summary>
internal static class MethodRoles
{
    public const string GateService = "optoutgate.v1.Gate";
    public const string MoService = "optoutgate.v1.Mo";
    public const string AdminService = "optoutgate.v1.Admin";
    public const string ChangesService = "optoutgate.v1.Changes";

    /// <summary>Health and reflection: probes, load balancers, grpcurl and ghz need them without a key, and they read no tenant data.</summary>
    public static bool IsOpen(string service) =>
        service.StartsWith("grpc.health.", StringComparison.Ordinal) || service.StartsWith("grpc.reflection.", StringComparison.Ordinal);

    /// <summary>The roles any one of which allows <paramref name="service"/>/<paramref name="method"/>.</summary>
    public static ApiRoles RequiredFor(string service, string method) => service switch
    {
        GateService => ApiRoles.Check,
        MoService => ApiRoles.Mo,
        AdminService => IsReadOnlyAdminMethod(method) ? ApiRoles.Admin | ApiRoles.Read : ApiRoles.Admin,

        // An admin key reads its own tenant's changes; a replica key its whole tenant group (CallIdentity.TenantGroup).
        ChangesService => ApiRoles.Replica | ApiRoles.Admin,
        _ => ApiRoles.None,
    };

    /// <summary>
    /// The Admin methods that change nothing: List*, Get*, Check* (CheckOptOuts, CheckAtTime) and Export*. The names
    /// follow AIP-131/132 (Get, List); every Admin method that writes starts with another verb (Put, Update, Add,
    /// Remove, Delete, Import, Report, Create, Review, Resolve).
    /// </summary>
    public static bool IsReadOnlyAdminMethod(string method) =>
        method.StartsWith("List", StringComparison.Ordinal)
        || method.StartsWith("Get", StringComparison.Ordinal)
        || method.StartsWith("Check", StringComparison.Ordinal)
        || method.StartsWith("Export", StringComparison.Ordinal);
}
