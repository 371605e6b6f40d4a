using System.Runtime.CompilerServices;
using FASTER.core;

namespace OptOutGate.Engine.Storage.Log;

internal sealed partial class ChangeLog
{
    /// <summary>
    /// The committed records <paramref name="fromSequence"/>..<paramref name="toSequence"/> (inclusive) in order.
    /// <paramref name="toSequence"/> is capped at <see cref="LastSequence"/> as of the call (pass
    /// <see cref="ulong.MaxValue"/> for "up to the last"); <paramref name="fromSequence"/> below
    /// <see cref="FirstSequence"/> starts there. Recent records come from memory, older ones from disk.
    /// </summary>
    /// <exception cref="DataDamagedException">A record fails its checksum (the disk changed under the log); reported too.</exception>
    public async IAsyncEnumerable<LogEntry> ReadAsync(ulong fromSequence, ulong toSequence, [EnumeratorCancellation] CancellationToken ct)
    {
        var last = LastSequence;
        // Read after LastSequence: the commit that published it covers its record.
        var end = _log.CommittedUntilAddress;
        var to = Math.Min(toSequence, last);
        var from = Math.Max(fromSequence, FirstSequence);
        if (from > to || !_map.TryGet(from, out var begin))
        {
            yield break;
        }

        using var iterator = _log.Scan(begin, end, scanBufferingMode: ScanBufferingMode.SinglePageBuffering);
        for (var sequence = from; sequence <= to; sequence++)
        {
            ct.ThrowIfCancellationRequested();
            byte[] bytes;
            int length;
            long address;
            while (!TryGetNext(iterator, sequence, out bytes, out length, out address))
            {
                if (iterator.NextAddress >= end || !await iterator.WaitAsync(ct))
                {
                    throw Damaged(sequence, iterator.NextAddress, "the log's framing ends before it");
                }
            }

            yield return Decode(bytes.AsSpan(0, length), sequence, address);
        }
    }

    /// <summary>
    /// The committed record <paramref name="sequence"/>, or null if it is not in the log (0, not yet committed). Below
    /// <see cref="FirstSequence"/> on a replica bootstrapped from a snapshot, the record rebuilt from the snapshot (the
    /// last change of an entry; <see cref="Base"/>), or null for any other sequence there. On a replica, a record
    /// enqueued but not yet committed here is waited for (one group commit): replicas apply records before their own
    /// commit (<see cref="EnqueueReplicated"/>), and a reader that saw one applied must find it.
    /// </summary>
    /// <exception cref="DataDamagedException">The record fails its checksum (the disk changed under the log); reported too.</exception>
    public async ValueTask<LogEntry?> ReadAsync(ulong sequence, CancellationToken ct)
    {
        if (sequence < FirstSequence && Base is { } snapshotBase)
        {
            return await snapshotBase.ReadAsync(sequence, ct);
        }

        if (sequence > LastSequence)
        {
            if (!IsReplica || sequence >= NextSequence)
            {
                return null;
            }

            await WaitForSequenceAsync(sequence, ct);
        }

        if (!_map.TryGet(sequence, out var address))
        {
            return null;
        }

        byte[] bytes;
        int length;
        try
        {
            (bytes, length) = await _log.ReadAsync(address, token: ct);
        }
        catch (FasterException e)
        {
            throw Damaged(sequence, address, e.Message, e);
        }

        return Decode(bytes.AsSpan(0, length), sequence, address);
    }

    /// <summary>
    /// The FasterLog address of a record, for tests and diagnostics only: addresses change when the operator cuts a damaged log
    /// (the log is rewritten), so nothing durable may keep them.
    /// </summary>
    internal bool TryGetAddress(ulong sequence, out long address) => _map.TryGet(sequence, out address);

    private LogEntry Decode(ReadOnlySpan<byte> frame, ulong sequence, long address)
    {
        if (!LogEntryFrame.TryCheck(frame, out var found))
        {
            throw Damaged(sequence, address, "bad checksum");
        }

        if (found != sequence || !LogEntryFrame.TryParse(frame, sequence, out var entry))
        {
            throw Damaged(sequence, address, found != sequence ? $"the record there is sequence {found}" : "its checksum matches but it does not parse");
        }

        return entry;
    }

    /// <summary>The iterator's next entry; a length that does not fit its page (garbage in the framing) is damage.</summary>
    private bool TryGetNext(FasterLogScanIterator iterator, ulong sequence, out byte[] bytes, out int length, out long address)
    {
        try
        {
            return iterator.GetNext(out bytes, out length, out address, out _);
        }
        catch (FasterException e)
        {
            throw Damaged(sequence, iterator.NextAddress, e.Message, e);
        }
    }
}
