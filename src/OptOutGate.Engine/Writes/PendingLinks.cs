using System.Runtime.CompilerServices;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Writes;

/// <summary>
/// A record that names another record still without a sequence (decided earlier in the same batch: sequences are given
/// at append). The name is filled in when the record is appended, right after the earlier one got its sequence
/// (<see cref="WritePipeline"/>'s beforeWrite), so the record on disk names the right sequence.
/// </summary>
internal static class PendingLinks
{
    private static readonly ConditionalWeakTable<ChangeRecord, ChangeRecord> s_supersededBy = [];

    /// <summary>Fills <paramref name="record"/>'s superseded_by_sequence with <paramref name="later"/>'s once it has one.</summary>
    public static void SupersededBy(ChangeRecord record, ChangeRecord later)
    {
        if (later.Sequence != 0)
        {
            record.SupersededBySequence = later.Sequence;
            return;
        }

        s_supersededBy.AddOrUpdate(record, later);
    }

    /// <summary>Called for each record as it is appended, in sequence order.</summary>
    public static void Resolve(ChangeRecord record)
    {
        if (record.KeywordEffect == KeywordEffect.Superseded && record.SupersededBySequence == 0
            && s_supersededBy.TryGetValue(record, out var later))
        {
            record.SupersededBySequence = later.Sequence;
            s_supersededBy.Remove(record);
        }
    }
}
