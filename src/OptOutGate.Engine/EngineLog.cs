using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine;

/// <summary>Log messages of the engine (source-generated).</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventIds.Engine + 1, LogLevel.Information, "Gate engine open: checkpoint at sequence {CheckpointSequence}, replayed {Replayed} records to sequence {AppliedSequence} in {ElapsedMs} ms; {Entries} entries.", EventName = "EngineOpened")]
    public static partial void Opened(ILogger logger, ulong checkpointSequence, ulong replayed, ulong appliedSequence, long elapsedMs, long entries);

    [LoggerMessage(EventIds.Engine + 2, LogLevel.Warning, "Checkpoint at sequence {Sequence} in {Directory} could not be loaded; trying an older one or the whole log.", EventName = "CheckpointUnusable")]
    public static partial void CheckpointUnusable(ILogger logger, ulong sequence, string directory, Exception exception);

    [LoggerMessage(EventIds.Engine + 3, LogLevel.Warning, "Checkpoint at sequence {Sequence} discarded: the change log was cut at sequence {FirstLost}, and it holds the lost records' effects.", EventName = "CheckpointDiscardedAfterCut")]
    public static partial void CheckpointDiscardedAfterCut(ILogger logger, ulong sequence, ulong firstLost);

    [LoggerMessage(EventIds.Engine + 4, LogLevel.Information, "Checkpoint at sequence {Sequence} taken in {ElapsedMs} ms ({Entries} entries).", EventName = "CheckpointTaken")]
    public static partial void CheckpointTaken(ILogger logger, ulong sequence, long elapsedMs, long entries);

    [LoggerMessage(EventIds.Engine + 5, LogLevel.Error, "Periodic checkpoint failed; the next attempt is at the next interval.", EventName = "PeriodicCheckpointFailed")]
    public static partial void PeriodicCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.Engine + 6, LogLevel.Information, "No usable checkpoint; replaying the whole change log.", EventName = "NoCheckpoint")]
    public static partial void NoCheckpoint(ILogger logger);

    [LoggerMessage(EventIds.Engine + 7, LogLevel.Warning, "Checkpoint at sequence {Sequence} is older than the snapshot base at {BaseSequence}; ignored.", EventName = "CheckpointBeforeBase")]
    public static partial void CheckpointBeforeBase(ILogger logger, ulong sequence, ulong baseSequence);

    [LoggerMessage(EventIds.Engine + 8, LogLevel.Information, "No usable checkpoint; loading the snapshot base at sequence {Sequence} ({Records} entries), then the change log after it.", EventName = "LoadingSnapshotBase")]
    public static partial void LoadingSnapshotBase(ILogger logger, ulong sequence, long records);

    [LoggerMessage(EventIds.Engine + 9, LogLevel.Warning, "The snapshot base {Path} is unreadable and the change log is empty; deleted (a replica bootstraps again).", EventName = "SnapshotBaseDiscarded")]
    public static partial void SnapshotBaseDiscarded(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventIds.Engine + 10, LogLevel.Information, "Snapshot base at sequence {Sequence} loaded ({Records} entries) in {ElapsedMs} ms; the change log continues at {Next}.", EventName = "SnapshotBaseLoaded")]
    public static partial void SnapshotBaseLoaded(ILogger logger, ulong sequence, long records, long elapsedMs, ulong next);

    [LoggerMessage(EventIds.Engine + 11, LogLevel.Error, "The background verification of the change log failed; records below the checkpoint were not all checked.", EventName = "VerificationFailed")]
    public static partial void VerificationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.Engine + 12, LogLevel.Error, "{Damage}", EventName = "CheckpointDamaged")]
    public static partial void CheckpointDamaged(ILogger logger, string damage);
}
