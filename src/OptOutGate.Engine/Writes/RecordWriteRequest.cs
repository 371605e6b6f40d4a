using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Writes;

/// <summary>
/// Records decided by the caller against the state the pipeline sees (MO messages, removal-request workflow, review
/// decisions). <see cref="Build"/> runs on the pipeline's loop, in order with every other write, with a view of the
/// applied state plus this pipeline's pending changes; it returns the records to write (possibly none) and must not
/// block on anything but a read of a committed record through the view. The pipeline sets tenant_id, event_time (when
/// unset) and actor_key_id (when empty) on them. Results: one WRITTEN item per record returned.
/// </summary>
internal sealed class RecordWriteRequest : WriteRequest
{
    public required Func<WriteStateView, ValueTask<IReadOnlyList<ChangeRecord>>> Build { get; init; }

    /// <summary>A decision that needs no reads.</summary>
    public static Func<WriteStateView, ValueTask<IReadOnlyList<ChangeRecord>>> Sync(Func<WriteStateView, IReadOnlyList<ChangeRecord>> build) =>
        view => ValueTask.FromResult(build(view));

    internal override int ItemCount => 1;
}
