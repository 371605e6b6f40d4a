using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Engine;

/// <summary>
/// Where the gate keeps its data and how often it checkpoints. Layout under <see cref="DataDirectory"/>: <c>log/</c>
/// (the change log, the source of truth), <c>index/</c> (the entry index and its FASTER checkpoints),
/// <c>checkpoints/&lt;N&gt;/</c> (scope table, configuration and history heads as of sequence N, plus the manifest that
/// makes the checkpoint count), and on a replica bootstrapped from a snapshot <c>snapshot/base.bin</c> (the snapshot's
/// state and the records of its entries, which the log, starting after it, does not hold).
/// </summary>
internal sealed class GateEngineOptions
{
    /// <summary>The data folder; required. Nothing else may write there.</summary>
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

    /// <summary>Change log settings; its <see cref="ChangeLogOptions.Directory"/> is set to <c>&lt;data&gt;/log</c> by the engine.</summary>
    public ChangeLogOptions Log { get; set; } = new();

    /// <summary>Write pipeline tuning.</summary>
    public WritePipelineOptions Writes { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming every problem (<see cref="Problems"/>).</summary>
    public void Validate()
    {
        var problems = Problems();
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            problems.Insert(0, "GateEngineOptions.DataDirectory is required.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
    }

    /// <summary>
    /// Every setting out of its range, named by its configuration key (section "Engine"), for start-up validation. The
    /// data folder is not checked here (the host sets it from Gate:DataDirectory).
    /// </summary>
    public List<string> Problems()
    {
        const string prefix = "Engine:";
        var problems = new List<string>();
        if (CheckpointInterval < TimeSpan.Zero && CheckpointInterval != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"{prefix}CheckpointInterval must not be negative (was {CheckpointInterval}); 0 turns the timer off.");
        }

        if (CheckpointEveryRecords < 0)
        {
            problems.Add($"{prefix}CheckpointEveryRecords must not be negative (was {CheckpointEveryRecords}); 0 checkpoints by time only.");
        }

        var index = new EntryIndexOptions
        {
            Directory = "-",
            ExpectedEntries = ExpectedEntries,
            MemorySizeBits = IndexMemorySizeBits,
            PageSizeBits = IndexPageSizeBits,
            SegmentSizeBits = IndexSegmentSizeBits,
        };
        foreach (var (property, message) in index.Problems())
        {
            var key = property == nameof(EntryIndexOptions.ExpectedEntries) ? property : "Index" + property;
            problems.Add($"{prefix}{key}: {message}");
        }

        problems.AddRange(Log.Problems(prefix + "Log:"));
        if (Writes.MaxBatchRecords < 1)
        {
            problems.Add($"{prefix}Writes:MaxBatchRecords must be at least 1 (was {Writes.MaxBatchRecords}).");
        }

        if (Writes.MaxInFlightBatches < 1)
        {
            problems.Add($"{prefix}Writes:MaxInFlightBatches must be at least 1 (was {Writes.MaxInFlightBatches}).");
        }

        if (Writes.QueueCapacity < 1)
        {
            problems.Add($"{prefix}Writes:QueueCapacity must be at least 1 (was {Writes.QueueCapacity}).");
        }

        if (Writes.MaxRecordBytes < 256)
        {
            problems.Add($"{prefix}Writes:MaxRecordBytes must be at least 256 (was {Writes.MaxRecordBytes}).");
        }

        return problems;
    }
}
