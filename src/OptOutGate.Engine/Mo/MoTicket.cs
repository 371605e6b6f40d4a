using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo;

/// <summary>
/// One MO message (or workflow step) between its decision on the write pipeline's loop and its durable completion.
/// Keys it claimed in the <see cref="MoLedger"/> stay pending until <see cref="MoLedger.Complete"/> or
/// <see cref="MoLedger.Abort"/>, so a carrier retry that arrives meanwhile waits for this one's result instead of
/// being decided again.
/// </summary>
internal sealed class MoTicket
{
    private readonly TaskCompletionSource<SeenMo> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal List<UInt128> Messages { get; } = new(1);

    internal List<UInt128> Contents { get; } = new(1);

    internal List<(string Tenant, ulong Recipient)> Orders { get; } = new(1);

    internal List<string> ReviewItems { get; } = new(0);

    internal List<string> Removals { get; } = new(0);

    internal List<RemovalTarget> RemovalTargets { get; } = new(0);

    /// <summary>The outcome once durable: the sequence of the message's record (0 when it made none) and its action.</summary>
    public Task<SeenMo> Done => _done.Task;

    internal void Succeed(SeenMo seen) => _done.TrySetResult(seen);

    internal void Fail(Exception error) => _done.TrySetException(error);
}
