using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo;

/// <summary>
/// One opt-out or opt-in event of a (recipient, scope) for ordering (DESIGN.md: "the latest event decides"): its event
/// time, whether it opts out, and its history record. Later = later event time; at the same time an opt-out is later
/// than an opt-in ("a STOP never loses to an earlier START", and a tie must not let a START win); the sequence only
/// breaks ties between events that ask for the same state, where it changes nothing.
/// </summary>
/// <param name="Record">The event's record while it is not yet appended (its sequence is then 0); null once known.</param>
internal readonly record struct KeywordEvent(long Ticks, bool OptOut, ulong Sequence, ChangeRecord? Record = null)
{
    /// <summary>Strictly later by (event time, opt-out over opt-in); equal events are not later than each other.</summary>
    public bool IsLaterThan(KeywordEvent other) =>
        Ticks > other.Ticks || (Ticks == other.Ticks && OptOut && !other.OptOut);

    /// <summary>The later of two events (the first on a tie), for folding in any order.</summary>
    public static KeywordEvent Max(KeywordEvent a, KeywordEvent b) =>
        b.IsLaterThan(a) || (!a.IsLaterThan(b) && b.Sequence > a.Sequence) ? b : a;

    /// <summary>The event an opt-out, opt-in or opt-out removal record stands for; false for any other record.</summary>
    public static bool TryFrom(ChangeRecord record, out KeywordEvent keywordEvent)
    {
        if (record.EventTime is null || record.Action is not (ChangeAction.OptOut or ChangeAction.OptIn or ChangeAction.OptOutRemoved))
        {
            keywordEvent = default;
            return false;
        }

        keywordEvent = new KeywordEvent(
            record.EventTime.ToDateTime().Ticks,
            record.Action == ChangeAction.OptOut,
            record.Sequence,
            record.Sequence == 0 ? record : null);
        return true;
    }

    /// <summary>The sequence of the event's record, read when it is needed (a pending record gets its sequence at append).</summary>
    public ulong CurrentSequence => Record?.Sequence ?? Sequence;
}
