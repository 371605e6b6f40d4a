namespace OptOutGate.Engine.Writes;

/// <summary>Tuning of <see cref="WritePipeline"/>; the defaults suit one gate process.</summary>
internal sealed class WritePipelineOptions
{
    /// <summary>
    /// Records per batch (one append, one group commit). A request is never split, so a batch can exceed this by one
    /// request. Default 4,096: big enough that 20,000 single-record writes/s need only a few commits per fsync time.
    /// </summary>
    public int MaxBatchRecords { get; init; } = 4096;

    /// <summary>
    /// Batches appended but not yet acknowledged. While they commit and apply, the next batch is validated and
    /// appended, so commits overlap validation. Default 4.
    /// </summary>
    public int MaxInFlightBatches { get; init; } = 4;

    /// <summary>Requests waiting for the loop; a full queue makes writers wait (back-pressure). Default 10,000.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>The largest record the log accepts (ChangeLogOptions.MaxEntryBytes), less room for what the log adds.</summary>
    public int MaxRecordBytes { get; init; } = (64 * 1024) - 128;
}
