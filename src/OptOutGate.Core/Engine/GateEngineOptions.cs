using OptOutGate.Core.Durability;
using OptOutGate.Core.Writes;

namespace OptOutGate.Core.Engine;

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

    /// <summary>Change log settings; its <see cref="ChangeLogOptions.Directory"/> is set to <c>&lt;data&gt;/log</c> by the engine.</summary>
    public ChangeLogOptions Log { get; set; } = new();

    /// <summary>Write pipeline tuning.</summary>
    public WritePipelineOptions Writes { get; set; } = new();

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("GateEngineOptions.DataDirectory is required.");
        }

        if (CheckpointInterval < TimeSpan.Zero && CheckpointInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("GateEngineOptions.CheckpointInterval must not be negative.");
        }

        if (CheckpointEveryRecords < 0)
        {
            throw new ArgumentException("GateEngineOptions.CheckpointEveryRecords must not be negative.");
        }

        if (Writes.MaxBatchRecords < 1 || Writes.MaxInFlightBatches < 1 || Writes.QueueCapacity < 1)
        {
            throw new ArgumentException("GateEngineOptions.Writes: batch size, in-flight batches and queue capacity must be at least 1.");
        }
    }
}
