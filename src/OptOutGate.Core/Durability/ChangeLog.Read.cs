using System.Runtime.CompilerServices;
using FASTER.core;

namespace OptOutGate.Core.Durability;

internal sealed partial class ChangeLog
{
    /// <summary>
    /// The committed records <paramref name="fromSequence"/>..<paramref name="toSequence"/> (inclusive) in order.
    /// <paramref name="toSequence"/> is capped at <see cref="LastSequence"/> as of the call (pass
    /// <see cref="ulong.MaxValue"/> for "up to the last"); <paramref name="fromSequence"/> below
    /// <see cref="FirstSequence"/> starts there. Recent records come from memory, older ones from disk.
    /// </summary>
    /// <exception cref="InvalidDataException">A record no longer matches its checksum (the disk changed under the log).</exception>
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
            while (!iterator.GetNext(out bytes, out length, out address, out _))
            {
                if (iterator.NextAddress >= end || !await iterator.WaitAsync(ct))
                {
                    throw new InvalidDataException($"The change log ended at address {iterator.NextAddress} before sequence {sequence}.");
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
    /// <exception cref="InvalidDataException">The record no longer matches its checksum (the disk changed under the log).</exception>
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

        var (bytes, length) = await _log.ReadAsync(address, token: ct);
        return Decode(bytes.AsSpan(0, length), sequence, address);
    }

    /// <summary>
    /// The FasterLog address of a record, for tests and diagnostics only: addresses change when a torn tail is cut
    /// (the log is rewritten), so nothing durable may keep them.
    /// </summary>
    internal bool TryGetAddress(ulong sequence, out long address) => _map.TryGet(sequence, out address);

    private static LogEntry Decode(ReadOnlySpan<byte> frame, ulong sequence, long address)
    {
        if (!LogEntryFrame.TryCheck(frame, out var found) || found != sequence || !LogEntryFrame.TryParse(frame, sequence, out var entry))
        {
            throw new InvalidDataException($"The change log record at address {address} is not sequence {sequence} or fails its checksum.");
        }

        return entry;
    }
}
