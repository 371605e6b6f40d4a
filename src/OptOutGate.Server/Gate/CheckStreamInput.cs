namespace OptOutGate.Server.Gate;

/// <summary>
/// One CheckStreamRequest as <see cref="CheckStreamCodec"/> decodes it: its id, its batch (a pooled
/// <see cref="CheckBatchInput"/>: recipients already numbers, no string per recipient), and its max_wait. The session
/// disposes it once the batch is answered.
/// </summary>
internal sealed class CheckStreamInput : IDisposable
{
    public ulong RequestId { get; init; }

    /// <summary>The batch; null when the request has none (an error for this id, gate.proto).</summary>
    public CheckBatchInput? Batch { get; init; }

    /// <summary>max_wait; null when unset (the default applies).</summary>
    public TimeSpan? MaxWait { get; init; }

    /// <summary>
    /// max_wait was set to something that is not a Duration (nanos beyond ±999,999,999, seconds and nanos of different
    /// signs, or beyond ±10,000 years): an INVALID_ARGUMENT for this id.
    /// </summary>
    public bool MaxWaitInvalid { get; init; }

    public void Dispose() => Batch?.Dispose();
}
