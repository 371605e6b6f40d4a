using OptOutGate.Engine.Configuration;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Engine;

/// <summary>
/// Where the gate keeps its data (<see cref="DataDirectory"/>, laid out as <see cref="DataLayout"/> says), how often it
/// checkpoints, how big its index, log and write queue are. Bound from the "Engine" configuration section (the data
/// folder excepted: the host sets it) and checked at start-up; every default is documented on its property.
/// </summary>
internal sealed class GateEngineOptions : IValidatedOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string SectionName = "Engine";

    /// <summary>The data folder; required, set by the host (Gate:DataDirectory), not bound here. Nothing else may write there.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>
    /// Time between periodic checkpoints. Default 5 minutes: a restart replays at most that much log. Zero or
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables the timer (checkpoints then happen on <see cref="GateEngine.CheckpointAsync"/>
    /// and at dispose only).
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Also take a checkpoint once this many records were applied since the last one (0 = only by time). A restart after
    /// a crash replays every record after the last checkpoint, at about 5 µs each on the 2-core build machine, so this
    /// bounds the replay after a bulk import (which writes millions of records in less than one
    /// <see cref="CheckpointInterval"/>). Default 500,000: at most about 2.5 s of replay after a crash, within the
    /// 10 s restart target at 10 million entries (DESIGN.md); a checkpoint at that size takes 2-3 s, during which
    /// writes wait, so a 10-million-record import takes about a quarter longer (scripts/measure-restart.sh prints both).
    /// </summary>
    public long CheckpointEveryRecords { get; set; } = 500_000;

    /// <summary>
    /// Take a checkpoint when the engine is disposed (default true), so the next start replays little. Tests turn it
    /// off to close the engine the way a crash would leave it.
    /// </summary>
    public bool CheckpointOnDispose { get; set; } = true;

    /// <summary>Sizing of the entry index: the number of entries expected (see EntryIndexOptions.ExpectedEntries). Default 1 Mi.</summary>
    public long ExpectedEntries { get; set; } = 1 << 20;

    /// <summary>log2 of the index's in-memory log (EntryIndexOptions.MemorySizeBits). Default 34; tests use small values.</summary>
    public int IndexMemorySizeBits { get; set; } = 34;

    /// <summary>log2 of an index log page (EntryIndexOptions.PageSizeBits). Default 25.</summary>
    public int IndexPageSizeBits { get; set; } = 25;

    /// <summary>log2 of an index log segment (EntryIndexOptions.SegmentSizeBits). Default 30.</summary>
    public int IndexSegmentSizeBits { get; set; } = 30;

    /// <summary>
    /// The operator's explicit permission to cut a damaged change log at this sequence: the one a refusal names as the
    /// first it cannot read. The records from it on are lost on this node (their numbers are kept by placeholder
    /// records), the log as it was is kept in <c>log/cut-&lt;utc time&gt;/</c>, and checkpoints that hold the lost
    /// records' effects are discarded. Nothing is cut when that record is readable. 0 (default): never cut. Set it
    /// for one start, then remove it; re-seeding from a healthy peer loses nothing and is the better way when there is one.
    /// </summary>
    public ulong CutLogAtSequence { get; set; }

    /// <summary>Change log settings ("Engine:Log"); its <see cref="ChangeLogOptions.Directory"/> is set to <c>&lt;data&gt;/log</c> by the engine.</summary>
    public ChangeLogOptions Log { get; set; } = new();

    /// <summary>Write pipeline tuning ("Engine:Writes").</summary>
    public WritePipelineOptions Writes { get; set; } = new();

    public void AddProblems(Func<string, string> keyOf, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentNullException.ThrowIfNull(problems);
        if (CheckpointInterval < TimeSpan.Zero && CheckpointInterval != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"{keyOf(nameof(CheckpointInterval))} must not be negative (was {CheckpointInterval}); 0 turns the timer off.");
        }

        if (CheckpointEveryRecords < 0)
        {
            problems.Add($"{keyOf(nameof(CheckpointEveryRecords))} must not be negative (was {CheckpointEveryRecords}); 0 checkpoints by time only.");
        }

        // The index's settings are bound flat (Engine:ExpectedEntries, Engine:IndexPageSizeBits, ...): its own check,
        // with each of its properties named by the key it is bound from.
        IndexOptions("-").AddProblems(property => keyOf(property == nameof(ExpectedEntries) ? property : "Index" + property), problems);
        Log.AddProblems(property => keyOf(nameof(Log)) + ":" + property, problems);
        Writes.AddProblems(property => keyOf(nameof(Writes)) + ":" + property, problems);
    }

    /// <summary>The entry index's options as this engine opens it, in <paramref name="directory"/>.</summary>
    internal EntryIndexOptions IndexOptions(string directory) => new()
    {
        Directory = directory,
        ExpectedEntries = ExpectedEntries,
        MemorySizeBits = IndexMemorySizeBits,
        PageSizeBits = IndexPageSizeBits,
        SegmentSizeBits = IndexSegmentSizeBits,
    };
}
