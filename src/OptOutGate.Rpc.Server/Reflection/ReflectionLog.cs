using Microsoft.Extensions.Logging;

namespace OptOutGate.Rpc.Server.Reflection;

internal static partial class ReflectionLog
{
    [LoggerMessage(1, LogLevel.Debug, "Reflection {Kind} '{Name}' answered {Code}.", EventName = "ReflectionAnswered")]
    public static partial void Answered(ILogger logger, ReflectionQueryKind kind, string name, StatusCode code);
}
