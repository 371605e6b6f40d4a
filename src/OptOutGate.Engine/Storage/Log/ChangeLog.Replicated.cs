namespace OptOutGate.Engine.Storage.Log;

internal sealed partial class ChangeLog
{
    private int _replica;

    /// <summary>
    /// True once this log follows a primary (<see cref="MarkReplica"/>): its sequences are the primary's, and a
    /// sequence above <see cref="LastSequence"/> may already be committed at the primary (so min_sequence waits).
    /// </summary>
    public bool IsReplica => Volatile.Read(ref _replica) != 0;

    /// <summary>Marks the log as a replica's copy. Local appends are refused by the write pipeline then.</summary>
    public void MarkReplica() => Volatile.Write(ref _replica, 1);

    /// <summary>
    /// Replica path: appends records that the primary already committed, keeping their sequence numbers and
    /// receive times, and completes when they are on disk here (the same group commit and fsync as
    /// <see cref="AppendAsync"/>). The first entry's sequence must be <see cref="LastSequence"/> + 1 of what was
    /// enqueued so far, and the entries consecutive; into an empty log the first sequence may be anything (a replica
    /// bootstrapped from a snapshot at N starts its log at N + 1). Receive times must not decrease (the primary's
    /// do not). <paramref name="beforeWrite"/> fills the back-pointers as for local appends.
    /// </summary>
    /// <exception cref="ArgumentException">The sequences do not continue the log (a gap or a repeat): nothing is written.</exception>
    /// <exception cref="ChangeLogFaultedException">A write or commit failed; the records may or may not be on disk.</exception>
    public async Task<ulong> AppendReplicatedAsync(IReadOnlyList<LogEntry> entries, Action<LogEntry>? beforeWrite, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var last = EnqueueReplicated(entries, beforeWrite);
        await WaitForSequenceAsync(last, ct);
        return last;
    }

    /// <summary>
    /// <see cref="AppendReplicatedAsync"/> without the wait: the records are enqueued in order and the committer is
    /// asked to commit them; they are on disk here once <see cref="LastSequence"/> reaches the returned sequence. A
    /// replica may apply them before that (they are committed at the primary already, and a restart fetches again
    /// whatever this log lost), which keeps the local fsync out of the replication lag.
    /// </summary>
    /// <exception cref="ArgumentException">The sequences do not continue the log: nothing is written.</exception>
    /// <exception cref="ChangeLogFaultedException">An earlier write or commit failed.</exception>
    public ulong EnqueueReplicated(IReadOnlyList<LogEntry> entries, Action<LogEntry>? beforeWrite)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            throw new ArgumentException("Append at least one entry.", nameof(entries));
        }

        var last = Enqueue(entries, beforeWrite, replicated: true);
        _metrics.Appended(entries.Count);
        _commitRequests.Writer.TryWrite(true);
        return last;
    }

    /// <summary>The sequence the next append gets (enqueued, not necessarily committed, plus one).</summary>
    public ulong NextSequence
    {
        get
        {
            lock (_appendLock)
            {
                return _lastEnqueued + 1;
            }
        }
    }

    // Under _appendLock.
    private void PrepareReplicated(IReadOnlyList<LogEntry> entries)
    {
        var first = entries[0]?.Record?.Sequence ?? 0;
        if (first == 0)
        {
            throw new ArgumentException("A replicated record needs its sequence.", nameof(entries));
        }

        if (_lastEnqueued == 0 && _map.Count == 0 && first != _map.FirstSequence)
        {
            // An empty log after a snapshot bootstrap: it holds the primary's records from first on.
            Volatile.Write(ref _map, new SequenceAddressMap(first));
            _lastEnqueued = first - 1;
        }

        if (first != _lastEnqueued + 1)
        {
            throw new ArgumentException($"Replicated records start at {first}, but the log continues at {_lastEnqueued + 1}.", nameof(entries));
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i]?.Record is not { } record || record.Sequence != first + (ulong)i || record.ReceiveTime is null)
            {
                throw new ArgumentException("Replicated records must be consecutive and carry their receive time.", nameof(entries));
            }
        }
    }

    private long ReplicatedReceiveTicks(IReadOnlyList<LogEntry> entries)
    {
        var ticks = _lastReceiveTicks;
        foreach (var entry in entries)
        {
            ticks = Math.Max(ticks, entry.Record.ReceiveTime.ToDateTimeOffset().UtcTicks);
        }

        return ticks;
    }
}
