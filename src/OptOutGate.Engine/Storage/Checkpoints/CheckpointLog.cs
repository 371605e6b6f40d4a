using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine.Storage.Checkpoints;

// A recovery phase, for restart-time figures (scripts/measure-restart.sh prints it). Logged through the engine's
// logger (category GateEngine), with an id of the Checkpoints range.
internal static partial class CheckpointLog
{
    [LoggerMessage(EventIds.Checkpoints + 1, LogLevel.Information, "Checkpoint at sequence {Sequence} loaded in {ElapsedMs} ms: index {IndexMs} ms, configuration and {Windows} confirmation windows {ConfigMs} ms, {Heads} history heads {HeadsMs} ms, checksums {VerifyMs} ms (in parallel).", EventName = "CheckpointLoaded")]
    public static partial void CheckpointLoaded(ILogger logger, ulong sequence, long elapsedMs, long indexMs, int windows, long configMs, int heads, long headsMs, long verifyMs);
}
