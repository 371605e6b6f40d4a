namespace OptOutGate.Server.Changes;

internal static partial class ChangesLog
{
    [LoggerMessage(EventId = EventIds.Changes + 1, EventName = "StreamStarted", Level = LogLevel.Debug, Message = "Change stream for {Caller} from sequence {From} to {To} (0 = follow)")]
    public static partial void StreamStarted(ILogger logger, string caller, ulong from, ulong to);

    [LoggerMessage(EventId = EventIds.Changes + 2, EventName = "SnapshotServed", Level = LogLevel.Information, Message = "Snapshot for {Caller} at sequence {Sequence}: {Items} items")]
    public static partial void SnapshotServed(ILogger logger, string caller, ulong sequence, int items);
}
