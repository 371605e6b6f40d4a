namespace OptOutGate.Server.Tenancy;

/// <summary>
/// What an API key may do (common.proto, "Tenancy"). A key holds a set of roles; a method needs any one of the roles
/// <see cref="MethodRoles"/> names for it.
/// </summary>
[Flags]
internal enum ApiRoles
{
    None = 0,

    /// <summary>optoutgate.v1.Gate: checks before a send.</summary>
    Check = 1,

    /// <summary>optoutgate.v1.Mo: inbound messages from carrier adapters.</summary>
    Mo = 2,

    /// <summary>optoutgate.v1.Admin, and optoutgate.v1.Changes for the key's own tenant.</summary>
    Admin = 4,

    /// <summary>optoutgate.v1.Changes for every tenant of the key's tenant group.</summary>
    Replica = 8,

    /// <summary>The read-only methods of optoutgate.v1.Admin (lists, gets, checks, exports).</summary>
    Read = 16,

    All = Check | Mo | Admin | Replica | Read,
}
