namespace OptOutGate.Server.Tenancy;

/// <summary>
/// One configured API key: whose it is, what it may do, and its SHA-256 hash (<see cref="ApiKeyHash"/>).
/// </summary>
/// <param name="TenantId">The tenant every call with this key acts on.</param>
/// <param name="KeyId">The key's public name, unique within its tenant; history records it as the actor.</param>
/// <param name="Roles">What the key may call (<see cref="MethodRoles"/>).</param>
/// <param name="Hash">32 bytes; empty only for <see cref="TenantRegistry.LocalKey"/>, which no presented key can match.</param>
/// <param name="TenantGroup">
/// The tenants whose changes the key may read through optoutgate.v1.Changes. As configured: the tenants a replica key
/// lists (empty = every tenant of the server). <see cref="TenantRegistry"/> resolves it: a replica key gets its list or
/// every tenant, an admin key also its own tenant, any other key none; each tenant as the list it reads and writes (an
/// account on an organization's shared list as the organization), since the change stream's records name lists.
/// </param>
internal sealed record TenantKey(string TenantId, string KeyId, ApiRoles Roles, byte[] Hash, IReadOnlyList<string> TenantGroup)
{
    /// <summary>
    /// The organization whose shared opt-out list the key's tenant reads and writes (an account on the shared list); null
    /// when the tenant keeps its own list (in no organization, or configured with its own).
    /// </summary>
    public string? SharedList { get; init; }

    /// <summary>The opt-out list (the engine's tenant) every call with this key acts on.</summary>
    public string ListId => SharedList ?? TenantId;

    public bool HasAny(ApiRoles roles) => (Roles & roles) != 0;

    /// <summary>"acme/dispatcher-1": never the key or its hash, so it is safe in logs and messages.</summary>
    public override string ToString() => TenantId + "/" + KeyId;
}
