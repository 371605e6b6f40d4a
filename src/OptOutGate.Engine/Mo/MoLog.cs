using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine.Mo;

internal static partial class MoLog
{
    [LoggerMessage(EventIds.Mo + 1, LogLevel.Information, "MO ledger loaded from its snapshot at sequence {Sequence}", EventName = "MoLedgerSnapshotLoaded")]
    public static partial void SnapshotLoaded(ILogger logger, ulong sequence);

    [LoggerMessage(EventIds.Mo + 2, LogLevel.Warning, "MO ledger snapshot {Path} is unusable; rebuilding from the log", EventName = "MoLedgerSnapshotUnusable")]
    public static partial void SnapshotUnusable(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventIds.Mo + 3, LogLevel.Information, "MO ledger ready at sequence {Sequence} ({Replayed} records replayed in {ElapsedMs} ms)", EventName = "MoLedgerReady")]
    public static partial void Ready(ILogger logger, ulong sequence, ulong replayed, long elapsedMs);

    [LoggerMessage(EventIds.Mo + 4, LogLevel.Debug, "MO ledger snapshot saved at sequence {Sequence}", EventName = "MoLedgerSnapshotSaved")]
    public static partial void SnapshotSaved(ILogger logger, ulong sequence);

    [LoggerMessage(EventIds.Mo + 5, LogLevel.Warning, "MO ledger snapshot failed; the next one retries (the log still holds everything)", EventName = "MoLedgerSnapshotFailed")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.Mo + 6, LogLevel.Error, "MO ledger stopped following the log at sequence {Sequence}", EventName = "MoLedgerFollowFailed")]
    public static partial void FollowFailed(ILogger logger, ulong sequence, Exception exception);
}
