using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.History;

/// <summary>
/// Time → sequence by binary search over the log: the log assigns sequence numbers and receive times under one lock,
/// so receive time never decreases with sequence (docs/gate-internals.md, Durability). About log2(n) record reads
/// (30 for a billion records), no index to keep.
/// </summary>
internal static class ReceiveTimeSearch
{
    /// <summary>
    /// The first sequence in [<paramref name="first"/>, <paramref name="last"/>] whose receive time is at or after
    /// <paramref name="time"/>; <paramref name="last"/> + 1 when there is none.
    /// </summary>
    public static async ValueTask<ulong> FirstAtOrAfterAsync(ChangeLog log, ulong first, ulong last, DateTime time, CancellationToken ct)
    {
        var low = first;
        var high = last + 1;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            var entry = await log.ReadAsync(middle, ct);
            var receive = entry?.Record.ReceiveTime?.ToDateTime() ?? DateTime.MaxValue;
            if (receive >= time)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }
}
