using Grpc.Core;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Changes;

/// <summary>The tenants a Changes call reads: the request's filter, each checked against the key's tenant group.</summary>
internal static class TenantFilter
{
    /// <summary>
    /// <paramref name="requested"/> when every one may be read by <paramref name="identity"/> (else PERMISSION_DENIED);
    /// the whole tenant group when it is empty.
    /// </summary>
    public static HashSet<string> Resolve(CallIdentity identity, IReadOnlyCollection<string> requested)
    {
        if (requested.Count == 0)
        {
            return new HashSet<string>(identity.TenantGroup, StringComparer.Ordinal);
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tenant in requested)
        {
            if (!identity.MayReadChangesOf(tenant))
            {
                // The message does not say whether the tenant exists: that would tell another tenant's key about it.
                throw new RpcException(new Status(StatusCode.PermissionDenied, "tenant_ids: this API key may not read the changes of one of the tenants named."));
            }

            set.Add(tenant);
        }

        return set;
    }
}
