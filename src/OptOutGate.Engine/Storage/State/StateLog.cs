using Microsoft.Extensions.Logging;

namespace OptOutGate.Engine.Storage.State;

/// <summary>Log messages of the state applier (source-generated; nothing above Debug on the normal path).</summary>
internal static partial class StateLog
{
    [LoggerMessage(EventIds.State + 1, LogLevel.Warning, "Record {Sequence} ({Action}) names no tenant; applied as history only.", EventName = "RecordWithoutTenant")]
    public static partial void RecordWithoutTenant(ILogger logger, ulong sequence, string action);

    [LoggerMessage(EventIds.State + 2, LogLevel.Warning, "Record {Sequence} ({Action}) has no valid recipient or target scope; applied as history only.", EventName = "RecordWithoutTarget")]
    public static partial void RecordWithoutTarget(ILogger logger, ulong sequence, string action);

    [LoggerMessage(EventIds.State + 3, LogLevel.Debug, "Record {Sequence} marks a confirmation used, but no window is open; history only.", EventName = "ConfirmationWithoutWindow")]
    public static partial void ConfirmationWithoutWindow(ILogger logger, ulong sequence);

    [LoggerMessage(EventIds.State + 4, LogLevel.Critical, "The state applier stopped at sequence {Sequence}; checks and writes waiting on later sequences fail until restart.", EventName = "ApplierFaulted")]
    public static partial void ApplierFaulted(ILogger logger, ulong sequence, Exception exception);

    [LoggerMessage(EventIds.State + 5, LogLevel.Debug, "State applier paused at sequence {Sequence}.", EventName = "ApplierPaused")]
    public static partial void ApplierPaused(ILogger logger, ulong sequence);

    [LoggerMessage(EventIds.State + 6, LogLevel.Warning, "Record {Sequence} is a configuration change without its configuration; history only.", EventName = "ConfigRecordWithoutConfig")]
    public static partial void ConfigRecordWithoutConfig(ILogger logger, ulong sequence);
}
