using System.Diagnostics.CodeAnalysis;
using Grpc.Core;

namespace OptOutGate.Server.Tenancy;

/// <summary>
/// Who is calling: the tenant and key of the call's API key (or tenant "default", key "local" while keys are off),
/// set by <see cref="TenancyInterceptor"/> before any handler runs. Handlers take the tenant from here, through
/// <see cref="Of"/>, and never from a request field: no request names the tenant it acts on (common.proto, "Tenancy").
/// One instance per configured key, made at start-up, so a call allocates none.
/// <para>
/// An account on its organization's shared opt-out list acts on that list: <see cref="TenantId"/> is the organization
/// (the list the engine keys entries, configuration and history by), <see cref="AccountId"/> the key's own tenant, and
/// the actor in history is "account/key" so that the list's records say which account made each change (and two
/// accounts' keys of the same name are two people for the four-eyes rule).
/// </para>
/// </summary>
internal sealed class CallIdentity
{
    internal CallIdentity(TenantKey key, bool isLocal)
    {
        ArgumentNullException.ThrowIfNull(key);
        TenantId = key.ListId;
        AccountId = key.TenantId;
        KeyName = key.KeyId;
        KeyId = key.SharedList is null ? key.KeyId : key.TenantId + "/" + key.KeyId;
        Roles = key.Roles;
        TenantGroup = key.TenantGroup;
        IsLocal = isLocal;
    }

    /// <summary>The opt-out list every read and write of this call acts on: its tenant's own, or its organization's shared list.</summary>
    public string TenantId { get; }

    /// <summary>The tenant (account) the key belongs to.</summary>
    public string AccountId { get; }

    /// <summary>The key's name as configured under its tenant.</summary>
    public string KeyName { get; }

    /// <summary>The actor of the history records this call makes: the key's name, or "account/key" on a shared list.</summary>
    public string KeyId { get; }

    public ApiRoles Roles { get; }

    /// <summary>
    /// The tenants whose changes this call may read through optoutgate.v1.Changes (sorted): a replica key's group (the
    /// tenants it lists, or every tenant), plus its own tenant for an admin key; empty for other keys.
    /// </summary>
    public IReadOnlyList<string> TenantGroup { get; }

    /// <summary>True while API keys are off (nothing configured, loopback only): tenant "default", key "local", every role.</summary>
    public bool IsLocal { get; }

    public bool HasAny(ApiRoles roles) => (Roles & roles) != 0;

    /// <summary>Whether the Changes service may hand this call the changes of <paramref name="tenantId"/>.</summary>
    public bool MayReadChangesOf(string tenantId)
    {
        foreach (var tenant in TenantGroup)
        {
            if (string.Equals(tenant, tenantId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The identity of the call. Throws <see cref="InvalidOperationException"/> when there is none, which only happens
    /// for health and reflection (they need no key) or a handler called outside the server: a bug, never a default tenant.
    /// </summary>
    public static CallIdentity Of(ServerCallContext context) =>
        TryGet(context, out var identity)
            ? identity
            : throw new InvalidOperationException($"{context.Method} has no CallIdentity: the tenancy interceptor did not run for it.");

    public static bool TryGet(ServerCallContext context, [NotNullWhen(true)] out CallIdentity? identity)
    {
        ArgumentNullException.ThrowIfNull(context);
        identity = context.GetHttpContext().Features.Get<CallIdentity>();
        return identity is not null;
    }

    internal void AttachTo(ServerCallContext context) => context.GetHttpContext().Features.Set(this);

    public override string ToString() => AccountId + "/" + KeyName;
}
