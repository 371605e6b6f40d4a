namespace OptOutGate.Engine.Writes;

/// <summary>
/// The result of one write request, given once every record it wrote is durable (fsync'ed) and applied (visible to
/// checks and reads): the per-item results in request order, and the highest sequence written by this request (0 when
/// nothing was written), usable as Gate <c>min_sequence</c>.
/// </summary>
internal sealed class WriteResult
{
    public WriteResult(IReadOnlyList<WriteItemResult> items, ulong sequence)
    {
        Items = items;
        Sequence = sequence;
    }

    public IReadOnlyList<WriteItemResult> Items { get; }

    public ulong Sequence { get; }
}
