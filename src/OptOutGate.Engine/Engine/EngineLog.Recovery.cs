using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine.Engine;

// Recovery phases, for restart-time figures (scripts/measure-restart.sh prints them). Event ids from 20.
internal static partial class EngineLog
{
    [LoggerMessage(20, LogLevel.Information, "Checkpoint at sequence {Sequence} loaded in {ElapsedMs} ms: index {IndexMs} ms, configuration and {Windows} confirmation windows {ConfigMs} ms, {Heads} history heads {HeadsMs} ms, checksums {VerifyMs} ms (in parallel).")]
    public static partial void CheckpointLoaded(ILogger logger, ulong sequence, long elapsedMs, long indexMs, int windows, long configMs, int heads, long headsMs, long verifyMs);

    [LoggerMessage(21, LogLevel.Information, "Checkpoint after {Records} records applied since the last one (Engine:CheckpointEveryRecords {Limit}).")]
    public static partial void CheckpointByRecords(ILogger logger, ulong records, long limit);
}
