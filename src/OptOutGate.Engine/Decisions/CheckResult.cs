namespace OptOutGate.Engine.Decisions;

/// <summary>
/// The outcome of one batch besides its verdicts: the counts, and the sequence number of the state the answer reflects
/// (the applied sequence read before any lookup, or the CONFIRMATION_SENT record the batch wrote when that is higher);
/// or, when the batch could not be answered, the <see cref="Error"/> (then the verdicts mean nothing).
/// </summary>
internal readonly record struct CheckResult(CheckCounts Counts, ulong Sequence, EngineError? Error = null)
{
    public static CheckResult Failed(EngineError error) => new(default, 0, error);
}
