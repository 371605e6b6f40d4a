using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine.Storage.Index;

internal static partial class EntryIndexLog
{
    [LoggerMessage(1, LogLevel.Information, "Entry index created in {Directory}: {Buckets} hash buckets, log memory up to {MemoryBytes} bytes.")]
    public static partial void Created(ILogger logger, string directory, long buckets, long memoryBytes);

    [LoggerMessage(2, LogLevel.Information, "Entry index recovered from checkpoint {Token}: {Count} entries in {ElapsedMs} ms (FASTER {FasterMs} ms, filter {FilterSource}).")]
    public static partial void Recovered(ILogger logger, Guid token, long count, long elapsedMs, long fasterMs, string filterSource);

    [LoggerMessage(3, LogLevel.Warning, "The recipient filter saved with checkpoint {Token} is missing or damaged; rebuilding it from a scan of the index.")]
    public static partial void FilterRebuilt(ILogger logger, Guid token);

    [LoggerMessage(4, LogLevel.Information, "Entry index checkpoint {Token}: {Count} entries, {ElapsedMs} ms.")]
    public static partial void CheckpointTaken(ILogger logger, Guid token, long count, long elapsedMs);

    [LoggerMessage(5, LogLevel.Information, "Removed entry index checkpoint {Token}.")]
    public static partial void CheckpointPurged(ILogger logger, Guid token);
}
