using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine.Writes;

/// <summary>Log messages of the write pipeline (source-generated).</summary>
internal static partial class WritesLog
{
    [LoggerMessage(EventIds.Writes + 1, LogLevel.Critical, "The write pipeline stopped: the change log failed. Writes fail until the process restarts.", EventName = "PipelineFaulted")]
    public static partial void PipelineFaulted(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.Writes + 2, LogLevel.Debug, "Write batch {Batch}: {Requests} requests, {Records} records.", EventName = "BatchAppended")]
    public static partial void BatchAppended(ILogger logger, long batch, int requests, int records);

    [LoggerMessage(EventIds.Writes + 3, LogLevel.Warning, "A write request was rejected during validation.", EventName = "RequestRejected")]
    public static partial void RequestRejected(ILogger logger, Exception exception);
}
