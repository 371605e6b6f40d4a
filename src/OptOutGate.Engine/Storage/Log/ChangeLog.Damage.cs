using System.Collections.Concurrent;
using System.Diagnostics;
using FASTER.core;

namespace OptOutGate.Engine.Storage.Log;

internal sealed partial class ChangeLog
{
    // Damaged records already reported (logged once each; bounded, a badly damaged disk must not grow it without end).
    private readonly ConcurrentDictionary<ulong, byte> _reportedDamage = new();
    private const int MaxReportedDamage = 10_000;

    /// <summary>
    /// Raised once per damaged record a reader (or the background verification) finds, after it was logged and
    /// counted; the engine decides whether the damage touches what checks answer from.
    /// </summary>
    public event Action<DataDamagedException>? DamageFound;

    /// <summary>The segment file holding <paramref name="address"/>, and the byte offset in it.</summary>
    public (string File, long Offset) Locate(long address) => ChangeLogStore.Locate(_folder, _options, address);

    /// <summary>
    /// The damage found at <paramref name="address"/> where <paramref name="sequence"/> should be: logged (once per
    /// record), counted in <c>optoutgate_log_damaged_records</c>, reported through <see cref="DamageFound"/>, and returned
    /// for the reader to throw.
    /// </summary>
    internal DataDamagedException Damaged(ulong sequence, long address, string why, Exception? inner = null)
    {
        var (file, offset) = Locate(address);
        var damage = new DataDamagedException(
            $"Change log record {sequence} is damaged in {file} at byte {offset} (log address {address}): {why}. It cannot be read. "
            + $"{DataDamagedException.Remedy}; or, losing the records from {sequence} on on this node, start it once with "
            + $"Engine:CutLogAtSequence={sequence} to cut the log there (the cut part is kept beside it).",
            file,
            sequence,
            inner);
        if (_reportedDamage.Count < MaxReportedDamage && _reportedDamage.TryAdd(sequence, 0))
        {
            _metrics.DamageFound();
            ChangeLogLog.DamagedRecord(_logger, damage.Message);
            DamageFound?.Invoke(damage);
        }

        return damage;
    }

    /// <summary>
    /// Checks the checksum and order of every committed record <paramref name="from"/>..<paramref name="to"/> and reports
    /// each damaged one (<see cref="Damaged"/>): the background verification of records the opening did not read
    /// (those the saved sequence map covers and no replay needed). Stops at damage in FasterLog's own framing, since
    /// nothing after it can be located. Blocking; run it off the request path.
    /// </summary>
    /// <returns>Records checked and records found damaged.</returns>
    internal (long Checked, long Damaged) Verify(ulong from, ulong to, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        from = Math.Max(from, FirstSequence);
        to = Math.Min(to, LastSequence);
        long checkedRecords = 0;
        long damaged = 0;
        if (from > to || !_map.TryGet(from, out var begin))
        {
            return (0, 0);
        }

        using (var iterator = _log.Scan(begin, _log.CommittedUntilAddress, scanBufferingMode: ScanBufferingMode.SinglePageBuffering))
        {
            for (var sequence = from; sequence <= to; sequence++)
            {
                var frame = LogFrameReader.Next(iterator);
                if (frame.Kind != LogFrameKind.Entry)
                {
                    damaged++;
                    _ = Damaged(sequence, frame.Address == 0 ? iterator.NextAddress : frame.Address, frame.Error ?? "the log's framing ends before it");
                    break;
                }

                checkedRecords++;
                if (!frame.Whole || frame.Sequence != sequence)
                {
                    damaged++;
                    _ = Damaged(sequence, frame.Address, frame.Whole ? $"the record there is sequence {frame.Sequence}" : "bad checksum");
                }

                if ((checkedRecords & 0xFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }
            }
        }

        ChangeLogLog.Verified(_logger, checkedRecords, from, to, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, damaged);
        return (checkedRecords, damaged);
    }
}
