using Grpc.Core;
using OptOutGate.Server.Grpc;

namespace OptOutGate.Server.Tenancy;

/// <summary>
/// The API-key check of every call: reads <c>authorization: Bearer &lt;key&gt;</c>, finds the key, checks that
/// its roles allow the method, and attaches the <see cref="CallIdentity"/> the handlers read. Health and reflection pass
/// without a key. Failures are UNAUTHENTICATED (no, malformed or unknown key: the message says which, never the key) or
/// PERMISSION_DENIED (the message names the role that is missing).
/// </summary>
internal sealed partial class TenancyInterceptor : AdmissionInterceptor
{
    private readonly ApiKeyStore<CallIdentity>? _keys;
    private readonly CallIdentity? _local;
    private readonly ILogger<TenancyInterceptor> _logger;

    public TenancyInterceptor(TenantRegistry registry, ILogger<TenancyInterceptor> logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _logger = logger;
        if (registry.AuthenticationEnabled)
        {
            _keys = new ApiKeyStore<CallIdentity>(registry.Keys.Select(key => (key.Hash, new CallIdentity(key, isLocal: false))));
        }
        else
        {
            _local = new CallIdentity(TenantRegistry.LocalKey, isLocal: true);
        }
    }

    protected override void Admit(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var method = CallMethod.Of(context);
        if (method.IsAlwaysOpen)
        {
            return;
        }

        var identity = _local ?? Authenticate(method, context);
        var required = MethodRoles.RequiredFor(method.Service, method.Name);
        if (!identity.HasAny(required))
        {
            throw PermissionDenied(method, identity, required);
        }

        identity.AttachTo(context);
    }

    private CallIdentity Authenticate(CallMethod method, ServerCallContext context)
    {
        // Straight from the request headers: the parsed Metadata collection would allocate for every call.
        var values = context.GetHttpContext().Request.Headers.Authorization;
        var status = BearerToken.Read(values.Count == 0 ? null : values[0], values.Count, out var key);
        if (status == BearerTokenStatus.Present && _keys!.TryFind(key, out var identity))
        {
            return identity;
        }

        var why = status switch
        {
            BearerTokenStatus.Missing => "No API key: send the metadata 'authorization: Bearer <key>'.",
            BearerTokenStatus.NotBearer => "The authorization metadata is not 'Bearer <key>' (one value: the word Bearer, a space, the key).",
            BearerTokenStatus.MalformedKey => $"The API key in the authorization metadata is malformed: keys are {ApiKeyHash.MinKeyLength}-{ApiKeyHash.MaxKeyLength} visible ASCII characters.",
            _ => "Unknown API key: no key with this value is configured on this server (or it was revoked).",
        };
        LogUnauthenticated(_logger, method, context.Peer, status == BearerTokenStatus.Present ? "UnknownKey" : status.ToString());
        throw new RpcException(new Status(StatusCode.Unauthenticated, why));
    }

    private RpcException PermissionDenied(CallMethod method, CallIdentity identity, ApiRoles required)
    {
        LogPermissionDenied(_logger, method, identity.AccountId, identity.KeyName);
        return Refusal(method, identity, required);
    }

    /// <summary>PERMISSION_DENIED for a key whose roles do not allow <paramref name="method"/>, naming what it lacks (the console's calls get the same).</summary>
    internal static RpcException Refusal(CallMethod method, CallIdentity identity, ApiRoles required)
    {
        var what = required switch
        {
            ApiRoles.None => $"no API key may call {method}: no role allows it",
            _ when (required & (required - 1)) == 0 => $"key '{identity.KeyName}' of tenant '{identity.AccountId}' lacks the role '{ApiRoleNames.Format(required)}' that {method} needs",
            _ => $"key '{identity.KeyName}' of tenant '{identity.AccountId}' has none of the roles that allow {method} ({ApiRoleNames.Format(required, " or ")})",
        };
        return new RpcException(new Status(StatusCode.PermissionDenied, "Permission denied: " + what + "."));
    }

    // Debug: a client without a key, or a scanner, must not be able to flood the logs at the default level.
    [LoggerMessage(EventId = EventIds.Tenancy + 1, EventName = "Unauthenticated", Level = LogLevel.Debug, Message = "Call to {Method} from {Peer} refused as UNAUTHENTICATED: {Reason}")]
    private static partial void LogUnauthenticated(ILogger logger, CallMethod method, string peer, string reason);

    [LoggerMessage(EventId = EventIds.Tenancy + 2, EventName = "PermissionDenied", Level = LogLevel.Debug, Message = "Call to {Method} refused as PERMISSION_DENIED for key {TenantId}/{KeyId}")]
    private static partial void LogPermissionDenied(ILogger logger, CallMethod method, string tenantId, string keyId);
}
