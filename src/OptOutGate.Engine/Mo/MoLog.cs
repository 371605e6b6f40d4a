using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine.Mo;

internal static partial class MoLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "MO ledger loaded from its snapshot at sequence {Sequence}")]
    public static partial void SnapshotLoaded(ILogger logger, ulong sequence);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "MO ledger snapshot {Path} is unusable; rebuilding from the log")]
    public static partial void SnapshotUnusable(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "MO ledger ready at sequence {Sequence} ({Replayed} records replayed in {ElapsedMs} ms)")]
    public static partial void Ready(ILogger logger, ulong sequence, ulong replayed, long elapsedMs);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "MO ledger snapshot saved at sequence {Sequence}")]
    public static partial void SnapshotSaved(ILogger logger, ulong sequence);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "MO ledger snapshot failed; the next one retries (the log still holds everything)")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Error, Message = "MO ledger stopped following the log at sequence {Sequence}")]
    public static partial void FollowFailed(ILogger logger, ulong sequence, Exception exception);
}
