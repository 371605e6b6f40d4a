using FASTER.core;
using OptOutGate.Engine.Configuration;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// Where and how big the entry index is. The defaults fit one gate process with up to a few tens of millions of
/// entries; <see cref="ExpectedEntries"/> is the one setting a deployment normally changes. Not bound itself: the
/// engine builds it from <see cref="GateEngineOptions"/> (Engine:ExpectedEntries and Engine:Index*), whose check
/// includes this one's.
/// </summary>
internal sealed class EntryIndexOptions : IValidatedOptions
{
    /// <summary>The index's own folder (<c>&lt;data&gt;/index</c>): FASTER's log in <c>log/</c>, checkpoints in
    /// <c>checkpoints/</c>. Required; nothing else may write there.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// Sizes FASTER's hash table (one 64-byte bucket of 7 slots per 4-8 expected entries, a power of two) and the
    /// recipient filter's first table. More entries than this still work: buckets chain overflow buckets and the
    /// filter grows, both at some cost in lookup time. Default 1 Mi.
    /// </summary>
    public long ExpectedEntries { get; init; } = 1 << 20;

    /// <summary>
    /// log2 of the in-memory part of FASTER's log. Pages are allocated only as the log reaches them, so a large
    /// value costs nothing until used; records beyond it stay readable from <c>log/</c> (reads go to disk, slower, but
    /// never "not found"). Default 34 (16 GiB), so a serving index never pages out in practice.
    /// </summary>
    public int MemorySizeBits { get; init; } = 34;

    /// <summary>log2 of a log page. Default 25 (32 MiB), FASTER's default; tests use tiny pages to force eviction.</summary>
    public int PageSizeBits { get; init; } = 25;

    /// <summary>log2 of a log segment file. Default 30 (1 GiB), FASTER's default.</summary>
    public int SegmentSizeBits { get; init; } = 30;

    /// <summary>
    /// The most reader sessions that exist at once; a renter past it waits for a return. FASTER's epoch table has
    /// max(128, 2 × cores) entries and every thread inside a protected region holds one (LightEpoch.cs), so this
    /// stays well below 128 to leave room for the applier, scans and checkpoints. Default 64.
    /// </summary>
    public int MaxReaders { get; init; } = 64;

    /// <summary>
    /// FoldOver (default) flushes the in-memory log to <c>log/</c> and marks it read-only: the checkpoint writes each
    /// record once, and the log file is the whole state. Snapshot writes the in-memory log to a separate file per
    /// checkpoint and keeps it mutable. The restart benchmark compares them (tests/OptOutGate.Benchmarks/README.md).
    /// </summary>
    public CheckpointType CheckpointType { get; init; } = CheckpointType.FoldOver;

    internal const int MinPageSizeBits = 12;

    public void AddProblems(Func<string, string> keyOf, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentNullException.ThrowIfNull(problems);
        if (ExpectedEntries < 1)
        {
            problems.Add($"{keyOf(nameof(ExpectedEntries))} must be at least 1 (was {ExpectedEntries}).");
        }

        if (PageSizeBits is < MinPageSizeBits or > 30)
        {
            problems.Add($"{keyOf(nameof(PageSizeBits))} must be between 12 and 30 (was {PageSizeBits}).");
        }

        // FASTER needs at least two pages in its circular buffer.
        if (MemorySizeBits < PageSizeBits + 1 || MemorySizeBits > 40)
        {
            problems.Add($"{keyOf(nameof(MemorySizeBits))} must be at least PageSizeBits + 1 and at most 40 (was {MemorySizeBits}).");
        }

        if (SegmentSizeBits < PageSizeBits || SegmentSizeBits > 40)
        {
            problems.Add($"{keyOf(nameof(SegmentSizeBits))} must be at least PageSizeBits and at most 40 (was {SegmentSizeBits}).");
        }

        if (MaxReaders is < 1 or > 100)
        {
            problems.Add($"{keyOf(nameof(MaxReaders))} must be between 1 and 100 (was {MaxReaders}).");
        }
    }

    /// <summary>Buckets of FASTER's hash table: expected / 4 rounded down to a power of two, so 4-8 entries per
    /// 7-slot bucket (13-27 B of index per entry), at least 1,024.</summary>
    internal long IndexBuckets()
    {
        var wanted = Math.Max(ExpectedEntries / 4, 1024);
        return 1L << (int)(63 - long.LeadingZeroCount(wanted));
    }
}
