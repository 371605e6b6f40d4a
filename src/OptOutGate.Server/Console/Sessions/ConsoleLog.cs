namespace OptOutGate.Server.WebConsole.Sessions;

/// <summary>The console's sign-ins and refusals: who (tenant and key name, never the key) and from where.</summary>
internal static partial class ConsoleLog
{
    [LoggerMessage(EventId = EventIds.Console + 1, EventName = "ConsoleSignIn", Level = LogLevel.Information, Message = "Console sign-in by key {TenantId}/{KeyId} from {Peer}")]
    public static partial void SignedIn(ILogger logger, string tenantId, string keyId, string? peer);

    // Debug, as the API's own refusals: a scanner must not be able to flood the log at the default level.
    [LoggerMessage(EventId = EventIds.Console + 2, EventName = "ConsoleSignInRefused", Level = LogLevel.Debug, Message = "Console sign-in refused from {Peer}: {Reason}")]
    public static partial void Refused(ILogger logger, string? peer, string reason);

    [LoggerMessage(EventId = EventIds.Console + 3, EventName = "ConsoleSignOut", Level = LogLevel.Information, Message = "Console sign-out by key {TenantId}/{KeyId}")]
    public static partial void SignedOut(ILogger logger, string tenantId, string keyId);
}
