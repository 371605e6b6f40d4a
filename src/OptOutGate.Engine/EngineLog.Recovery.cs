using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine;

// Recovery phases, for restart-time figures (scripts/measure-restart.sh prints them). Event ids from 20; 20 itself
// is the checkpoint load (Storage/Checkpoints/CheckpointLog).
internal static partial class EngineLog
{
    [LoggerMessage(21, LogLevel.Information, "Checkpoint after {Records} records applied since the last one (Engine:CheckpointEveryRecords {Limit}).")]
    public static partial void CheckpointByRecords(ILogger logger, ulong records, long limit);
}
