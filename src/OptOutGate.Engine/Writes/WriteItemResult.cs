using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Engine.Writes;

/// <summary>
/// The result of one item of a write (one recipient, one configuration change). Read its properties only after the
/// write's task completed: sequences are assigned by the log during the write.
/// </summary>
internal readonly struct WriteItemResult
{
    private readonly EntryValue _existing;

    public WriteItemResult(WriteOutcome outcome, ChangeRecord? record, bool written, EntryValue existing = default)
    {
        Outcome = outcome;
        Record = record;
        Written = written;
        _existing = existing;
    }

    public WriteOutcome Outcome { get; }

    /// <summary>
    /// When <see cref="Written"/>: the history record this item wrote (sequence and receive time set). Otherwise, for
    /// ALREADY_PRESENT and REMOVAL_NOT_ALLOWED, the record of the existing entry when that entry
    /// was written by a not-yet-applied write of this pipeline; null when it came from the applied index (then
    /// <see cref="Sequence"/> names its record: read it from the log). Read-only.
    /// </summary>
    public ChangeRecord? Record { get; }

    /// <summary>True when this item wrote <see cref="Record"/>.</summary>
    public bool Written { get; }

    /// <summary>The record written, or the existing entry's last record (ALREADY_PRESENT, REMOVAL_NOT_ALLOWED); 0 when none.</summary>
    public ulong Sequence => Record?.Sequence ?? _existing.Sequence;

    /// <summary>The existing entry's source and SMS types when it came from the index (for ALREADY_PRESENT and REMOVAL_NOT_ALLOWED).</summary>
    public EntryValue Existing => _existing;

    /// <summary>The v1 outcome for entry writes (values 1-8); UNSPECIFIED for configuration and confirmation outcomes.</summary>
    public RecipientOutcome ToRecipientOutcome() =>
        (int)Outcome is >= 1 and <= 8 ? (RecipientOutcome)(int)Outcome : RecipientOutcome.Unspecified;
}
