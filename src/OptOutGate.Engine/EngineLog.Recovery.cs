using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine;

// Recovery phases, for restart-time figures (scripts/measure-restart.sh prints them); the checkpoint load's own line is
// Storage/Checkpoints/CheckpointLog's.
internal static partial class EngineLog
{
    [LoggerMessage(EventIds.Engine + 21, LogLevel.Information, "Checkpoint after {Records} records applied since the last one (Engine:CheckpointEveryRecords {Limit}).", EventName = "CheckpointByRecords")]
    public static partial void CheckpointByRecords(ILogger logger, ulong records, long limit);
}
