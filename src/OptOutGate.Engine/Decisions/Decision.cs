using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Decisions;

/// <summary>
/// One recipient's verdict and, for explanations, the entry that decided it (and the opt-out a bypass lifted).
/// <see cref="UsesConfirmation"/> is set when the verdict spends the recipient's one confirmation: the caller must
/// record that durably.
/// </summary>
internal readonly record struct Decision(
    Verdict Verdict,
    DecidingEntry Decider,
    DecidingEntry Bypassed = default,
    bool UsesConfirmation = false);

/// <summary>Which (kind, scope) slot decided; <see cref="Found"/> false when no entry did (ALLOWED, INVALID, CONFIRMATION rules).</summary>
internal readonly record struct DecidingEntry(bool Found, Storage.Index.EntryKind Kind, EntryScope Scope);
