using Microsoft.Extensions.Logging;

namespace OptOutGate.Core.Durability;

internal static partial class ChangeLogLog
{
    [LoggerMessage(1, LogLevel.Information, "Change log opened in {Directory}: sequences {FirstSequence}..{LastSequence}, {SizeBytes} bytes; {ScannedRecords} records scanned in {ElapsedMs} ms.")]
    public static partial void Opened(ILogger logger, string directory, ulong firstSequence, ulong lastSequence, long sizeBytes, long scannedRecords, long elapsedMs);

    [LoggerMessage(2, LogLevel.Warning, "Change log tail is torn: the last whole record is sequence {LastSequence} ending at address {ValidEnd}, but the committed tail is {CommittedTail} ({Reason}). Cutting the {LostBytes} bytes after it.")]
    public static partial void TornTail(ILogger logger, ulong lastSequence, long validEnd, long committedTail, string reason, long lostBytes);

    [LoggerMessage(3, LogLevel.Warning, "Change log rewritten up to sequence {LastSequence}; the torn log is kept in {TornDirectory}.")]
    public static partial void Rebuilt(ILogger logger, ulong lastSequence, string tornDirectory);

    [LoggerMessage(4, LogLevel.Warning, "Finishing a change log rewrite that a previous run did not finish; the torn log is kept in {TornDirectory}.")]
    public static partial void RebuildResumed(ILogger logger, string tornDirectory);

    [LoggerMessage(5, LogLevel.Warning, "Deleting an unfinished change log rewrite in {Directory}.")]
    public static partial void RebuildDiscarded(ILogger logger, string directory);

    [LoggerMessage(7, LogLevel.Warning, "Saving the change log's sequence map failed; the next open scans more of the log.")]
    public static partial void MapSaveFailed(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Critical, "Change log commit failed after sequence {LastSequence}; the log is faulted and accepts no more appends until the process restarts.")]
    public static partial void Faulted(ILogger logger, Exception exception, ulong lastSequence);
}
