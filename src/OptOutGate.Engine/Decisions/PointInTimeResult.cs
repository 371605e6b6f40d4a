using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Decisions;

/// <summary>
/// The answer of <see cref="PointInTimeCheck"/>: the verdict, the deciding entry and (for ALLOWED_BYPASS) the entry
/// the bypass lifted, both as they were at the time asked; the types the blocking rule made an opt-out block, where
/// that rule came from, and the highest sequence among the records the answer was computed from.
/// </summary>
internal sealed record PointInTimeResult(
    Verdict Verdict,
    Entry? Decider,
    Entry? Bypassed,
    byte BlockedMask,
    RuleSource RuleSource,
    ulong Sequence)
{
    /// <summary>The sentence of the deciding entry ("opted out by MO 'STOP' at +18005550100 on 2026-01-05"); empty when none.</summary>
    public string DeciderText { get; init; } = "";

    /// <summary>The sentence of the entry a bypass lifted; empty when none.</summary>
    public string BypassedText { get; init; } = "";
}
