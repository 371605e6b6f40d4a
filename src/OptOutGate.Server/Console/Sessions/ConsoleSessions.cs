using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.WebConsole.Sessions;

/// <summary>
/// Signed-in console sessions, held in the gate's memory: sign-in finds the presented API key in the server's own key
/// store (the same hashes, tenants, organizations and roles as every gRPC call) and keeps only the identity it stands
/// for under a random session id; the cookie carries that id (data-protected by cookie authentication), never the
/// key. A session ends at sign-out, after <see cref="IdleTimeout"/> without a request, or when the gate restarts.
/// </summary>
internal sealed class ConsoleSessions
{
    /// <summary>How long a session lasts without a request.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(8);

    private readonly ApiKeyStore<CallIdentity>? _keys;
    private readonly CallIdentity? _local;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public ConsoleSessions(TenantRegistry registry, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _time = time;
        if (registry.AuthenticationEnabled)
        {
            _keys = new ApiKeyStore<CallIdentity>(registry.Keys.Select(static key => (key.Hash, new CallIdentity(key, isLocal: false))));
        }
        else
        {
            _local = new CallIdentity(TenantRegistry.LocalKey, isLocal: true);
        }
    }

    /// <summary>False while API keys are off (loopback only): every console session is tenant "default", key "local".</summary>
    public bool KeysRequired => _keys is not null;

    /// <summary>
    /// A new session for <paramref name="key"/>, or the reason there is none: an unknown key, or one whose roles
    /// allow no Admin method (a check, mo or replica key).
    /// </summary>
    public bool TrySignIn(string? key, [NotNullWhen(true)] out string? sessionId, [NotNullWhen(true)] out CallIdentity? identity, [NotNullWhen(false)] out string? refusal)
    {
        sessionId = null;
        identity = null;
        if (_local is not null)
        {
            identity = _local;
        }
        else if (string.IsNullOrWhiteSpace(key) || !_keys!.TryFind(key.Trim(), out identity))
        {
            refusal = "Unknown API key: no key with this value is configured on this server (or it was revoked).";
            return false;
        }

        if (!identity.HasAny(ApiRoles.Admin | ApiRoles.Read))
        {
            refusal = $"Key '{identity.KeyName}' of tenant '{identity.AccountId}' has neither the admin nor the read role, which the console needs.";
            identity = null;
            return false;
        }

        Sweep();
        sessionId = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _sessions[sessionId] = new Session(identity, _time.GetUtcNow());
        refusal = null;
        return true;
    }

    /// <summary>The identity of a live session, and the session's idle time starts again.</summary>
    public bool TryGet(string? sessionId, [NotNullWhen(true)] out CallIdentity? identity)
    {
        identity = null;
        if (sessionId is null || !_sessions.TryGetValue(sessionId, out var session))
        {
            return false;
        }

        var now = _time.GetUtcNow();
        if (now - session.LastSeen > IdleTimeout)
        {
            _sessions.TryRemove(sessionId, out _);
            return false;
        }

        _sessions[sessionId] = session with { LastSeen = now };
        identity = session.Identity;
        return true;
    }

    public void SignOut(string? sessionId)
    {
        if (sessionId is not null)
        {
            _sessions.TryRemove(sessionId, out _);
        }
    }

    /// <summary>Drops the sessions idle past the timeout that were never used again (each sign-in sweeps).</summary>
    private void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var (id, session) in _sessions)
        {
            if (now - session.LastSeen > IdleTimeout)
            {
                _sessions.TryRemove(id, out _);
            }
        }
    }

    private sealed record Session(CallIdentity Identity, DateTimeOffset LastSeen);
}
