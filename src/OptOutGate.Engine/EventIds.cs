namespace OptOutGate.Engine;

/// <summary>
/// Where the engine's log event ids start, one range of 100 per folder: every <c>[LoggerMessage]</c> takes its range's
/// base plus a number below 100 and names itself (<c>EventName</c>), so an id says where a line comes from and no two
/// messages share one (EngineLoggingTests checks both). The engine keeps to 1000-1999; the server's ids lie outside it.
/// </summary>
internal static class EventIds
{
    /// <summary>The engine's root: open, recovery, checkpoints, background verification (<see cref="EngineLog"/>).</summary>
    public const int Engine = 1000;

    /// <summary>Storage/Log: the change log (ChangeLogLog).</summary>
    public const int ChangeLog = 1100;

    /// <summary>Storage/Index: the entry index (EntryIndexLog).</summary>
    public const int Index = 1200;

    /// <summary>Storage/State: the state applier (StateLog).</summary>
    public const int State = 1300;

    /// <summary>Storage/Checkpoints: checkpoint loading (CheckpointLog).</summary>
    public const int Checkpoints = 1400;

    /// <summary>Writes: the write pipeline (WritesLog).</summary>
    public const int Writes = 1500;

    /// <summary>Mo: the MO ledger (MoLog).</summary>
    public const int Mo = 1600;
}
