using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine.Storage.Index;

internal static partial class EntryIndexLog
{
    [LoggerMessage(EventIds.Index + 1, LogLevel.Information, "Entry index created in {Directory}: {Buckets} hash buckets, log memory up to {MemoryBytes} bytes.", EventName = "IndexCreated")]
    public static partial void Created(ILogger logger, string directory, long buckets, long memoryBytes);

    [LoggerMessage(EventIds.Index + 2, LogLevel.Information, "Entry index recovered from checkpoint {Token}: {Count} entries in {ElapsedMs} ms (FASTER {FasterMs} ms, filter {FilterSource}).", EventName = "IndexRecovered")]
    public static partial void Recovered(ILogger logger, Guid token, long count, long elapsedMs, long fasterMs, string filterSource);

    [LoggerMessage(EventIds.Index + 3, LogLevel.Warning, "The recipient filter saved with checkpoint {Token} is missing or damaged; rebuilding it from a scan of the index.", EventName = "IndexFilterRebuilt")]
    public static partial void FilterRebuilt(ILogger logger, Guid token);

    [LoggerMessage(EventIds.Index + 4, LogLevel.Information, "Entry index checkpoint {Token}: {Count} entries, {ElapsedMs} ms.", EventName = "IndexCheckpointTaken")]
    public static partial void CheckpointTaken(ILogger logger, Guid token, long count, long elapsedMs);

    [LoggerMessage(EventIds.Index + 5, LogLevel.Information, "Removed entry index checkpoint {Token}.", EventName = "IndexCheckpointPurged")]
    public static partial void CheckpointPurged(ILogger logger, Guid token);

    [LoggerMessage(EventIds.Index + 6, LogLevel.Information, "Entry index: the kinds each scope holds are known ({Records} log records scanned in {ElapsedMs} ms); checks now read only those.", EventName = "IndexScopeKindsKnown")]
    public static partial void ScopeKindsKnown(ILogger logger, long records, long elapsedMs);

    [LoggerMessage(EventIds.Index + 7, LogLevel.Warning, "Entry index: the scan for the kinds each scope holds stopped; checks go on reading every kind.", EventName = "IndexScopeKindsScanFailed")]
    public static partial void ScopeKindsScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.Index + 8, LogLevel.Warning, "Entry index: FASTER's hash table and log pages are not where this build expects them (FASTER 2.6.5); batch reads run without prefetch hints, slower but with the same answers.", EventName = "IndexNoPrefetchHints")]
    public static partial void NoPrefetchHints(ILogger logger);
}
