using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine.Storage.Log;

internal static partial class ChangeLogLog
{
    [LoggerMessage(EventIds.ChangeLog + 1, LogLevel.Information, "Change log opened in {Directory}: sequences {FirstSequence}..{LastSequence}, {SizeBytes} bytes; {ScannedRecords} records scanned in {ElapsedMs} ms.", EventName = "ChangeLogOpened")]
    public static partial void Opened(ILogger logger, string directory, ulong firstSequence, ulong lastSequence, long sizeBytes, long scannedRecords, long elapsedMs);

    [LoggerMessage(EventIds.ChangeLog + 4, LogLevel.Warning, "Finishing a cut of the change log that a previous run did not finish; the log as it was is kept in {CutDirectory}.", EventName = "ChangeLogRebuildResumed")]
    public static partial void RebuildResumed(ILogger logger, string cutDirectory);

    [LoggerMessage(EventIds.ChangeLog + 5, LogLevel.Warning, "Deleting an unfinished change log rewrite in {Directory}.", EventName = "ChangeLogRebuildDiscarded")]
    public static partial void RebuildDiscarded(ILogger logger, string directory);

    [LoggerMessage(EventIds.ChangeLog + 7, LogLevel.Warning, "Saving the change log's sequence map failed; the next open scans more of the log.", EventName = "ChangeLogMapSaveFailed")]
    public static partial void MapSaveFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.ChangeLog + 6, LogLevel.Critical, "Change log commit failed after sequence {LastSequence}; the log is faulted and accepts no more appends until the process restarts.", EventName = "ChangeLogFaulted")]
    public static partial void Faulted(ILogger logger, Exception exception, ulong lastSequence);

    [LoggerMessage(EventIds.ChangeLog + 8, LogLevel.Error, "{Damage}", EventName = "ChangeLogDamagedRecord")]
    public static partial void DamagedRecord(ILogger logger, string damage);

    [LoggerMessage(EventIds.ChangeLog + 9, LogLevel.Warning, "Engine:CutLogAtSequence={Sequence} is set, but record {Sequence} of the change log is readable: nothing was cut. Remove the setting.", EventName = "ChangeLogNothingToCut")]
    public static partial void NothingToCut(ILogger logger, ulong sequence);

    [LoggerMessage(EventIds.ChangeLog + 10, LogLevel.Warning, "The change log was cut at sequence {Sequence} as Engine:CutLogAtSequence asked: records {Sequence}..{LastLost} are lost on this node (their sequence numbers are kept as empty placeholder records, so none is given again); the log as it was is kept in {CutDirectory}. Remove the setting.", EventName = "ChangeLogCut")]
    public static partial void Cut(ILogger logger, ulong sequence, ulong lastLost, string cutDirectory);

    [LoggerMessage(EventIds.ChangeLog + 11, LogLevel.Information, "Background verification of the change log: {Records} records (sequences {From}..{To}) checked in {ElapsedMs} ms, {Damaged} damaged.", EventName = "ChangeLogVerified")]
    public static partial void Verified(ILogger logger, long records, ulong from, ulong to, long elapsedMs, long damaged);
}
