using OptOutGate.Engine.Configuration;

namespace OptOutGate.Engine.Storage.Log;

/// <summary>
/// Options of <see cref="ChangeLog"/>: bound from the "Engine:Log" section (<see cref="GateEngineOptions.Log"/>), checked
/// at start-up with the engine's options and again when the log opens.
/// </summary>
internal sealed class ChangeLogOptions : IValidatedOptions
{
    /// <summary>
    /// The log's folder (<c>&lt;data&gt;/log</c>). The live FasterLog is in its <c>active/</c> subfolder; a log the
    /// operator had cut at damage is kept in <c>cut-&lt;utc time&gt;/</c>. Required; set by the engine to
    /// <c>&lt;data&gt;/log</c>, never bound from configuration.
    /// </summary>
    public string Directory { get; set; } = "";

    /// <summary>
    /// FasterLog page size, as a power of two. Default 20 (1 MiB): a record must fit in a page, and every range read
    /// buffers one page, so small pages keep concurrent readers cheap; records are a few hundred bytes.
    /// </summary>
    public int PageSizeBits { get; set; } = 20;

    /// <summary>
    /// Memory of the log's tail, as a power of two (at least <see cref="PageSizeBits"/> + 1). Default 24 (16 MiB):
    /// recent records, the ones the applier, replicas and the change stream read, are served from memory.
    /// </summary>
    public int MemorySizeBits { get; set; } = 24;

    /// <summary>Size of each segment file, as a power of two. Default 30 (1 GiB, FasterLog's default).</summary>
    public int SegmentSizeBits { get; set; } = 30;

    /// <summary>The largest serialized <see cref="LogEntry"/> accepted, in bytes. Default 64 KiB.</summary>
    public int MaxEntryBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// The operator's explicit permission to cut a damaged log: when the record of this sequence is the first damaged
    /// one, opening keeps the records before it, gives the lost sequence numbers to empty placeholder records (so none
    /// is given twice) and moves the log as it was to <c>cut-&lt;utc time&gt;/</c>. When that record is readable, nothing
    /// is cut. 0 (default): damage is never cut; the log refuses to open. Set by the engine from Engine:CutLogAtSequence.
    /// </summary>
    public ulong CutAtSequence { get; set; }

    public void AddProblems(Func<string, string> keyOf, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentNullException.ThrowIfNull(problems);
        if (PageSizeBits is < 12 or > 28)
        {
            problems.Add($"{keyOf(nameof(PageSizeBits))} must be 12..28 (was {PageSizeBits}).");
        }

        if (MemorySizeBits < PageSizeBits + 1 || MemorySizeBits > 40)
        {
            problems.Add($"{keyOf(nameof(MemorySizeBits))} must be PageSizeBits + 1 ..40 (was {MemorySizeBits}).");
        }

        if (SegmentSizeBits < PageSizeBits || SegmentSizeBits > 40)
        {
            problems.Add($"{keyOf(nameof(SegmentSizeBits))} must be PageSizeBits..40 (was {SegmentSizeBits}).");
        }

        // A frame (header + checksum + sequence + entry) must fit in one page with room to spare.
        if (MaxEntryBytes < 256 || MaxEntryBytes > (1 << Math.Clamp(PageSizeBits, 12, 28)) / 2)
        {
            problems.Add($"{keyOf(nameof(MaxEntryBytes))} must be 256..half a page (was {MaxEntryBytes}).");
        }
    }
}
