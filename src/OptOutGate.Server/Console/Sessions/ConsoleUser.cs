using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.WebConsole.Sessions;

/// <summary>The signed-in session of a console request (an HTTP feature set when the cookie's session is found).</summary>
internal sealed record ConsoleUser(CallIdentity Identity, string SessionId);
