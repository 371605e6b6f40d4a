using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Writes;

/// <summary>One submitted request on its way through <see cref="WritePipeline"/>.</summary>
internal sealed class PendingWrite
{
    public PendingWrite(WriteRequest request)
    {
        Request = request;
    }

    public WriteRequest Request { get; }

    public TaskCompletionSource<WriteResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set by validation; null when validation failed (the completion then holds the error).</summary>
    public WriteItemResult[]? Items { get; set; }

    /// <summary>The last record this request wrote; its sequence is the request's result sequence.</summary>
    public ChangeRecord? LastRecord { get; set; }

    public void Complete()
    {
        if (Items is not null)
        {
            Completion.TrySetResult(new WriteResult(Items, LastRecord?.Sequence ?? 0));
        }
    }
}
