using OptOutGate.Engine.Configuration;

namespace OptOutGate.Engine.Writes;

/// <summary>
/// Tuning of <see cref="WritePipeline"/>, bound from the "Engine:Writes" section (<see cref="GateEngineOptions.Writes"/>);
/// the defaults suit one gate process.
/// </summary>
internal sealed class WritePipelineOptions : IValidatedOptions
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

    /// <summary>
    /// The largest record accepted, in bytes. Default 65,408: the log's default largest entry
    /// (ChangeLogOptions.MaxEntryBytes, 64 KiB) less 128 bytes for what the log adds; the engine lowers it to fit a
    /// smaller log setting.
    /// </summary>
    public int MaxRecordBytes { get; init; } = (64 * 1024) - 128;

    public void AddProblems(Func<string, string> keyOf, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentNullException.ThrowIfNull(problems);
        if (MaxBatchRecords < 1)
        {
            problems.Add($"{keyOf(nameof(MaxBatchRecords))} must be at least 1 (was {MaxBatchRecords}).");
        }

        if (MaxInFlightBatches < 1)
        {
            problems.Add($"{keyOf(nameof(MaxInFlightBatches))} must be at least 1 (was {MaxInFlightBatches}).");
        }

        if (QueueCapacity < 1)
        {
            problems.Add($"{keyOf(nameof(QueueCapacity))} must be at least 1 (was {QueueCapacity}).");
        }

        if (MaxRecordBytes < 256)
        {
            problems.Add($"{keyOf(nameof(MaxRecordBytes))} must be at least 256 (was {MaxRecordBytes}).");
        }
    }
}
