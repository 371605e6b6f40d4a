using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Replication;

/// <summary>
/// Writes a primary's committed records into a replica's own engine, strictly in sequence order: each run
/// of records is appended to the replica's log under the primary's sequence numbers and receive times
/// (<see cref="ChangeLog.EnqueueReplicated"/>; durable here one group commit later) and applied by the engine's
/// applier at once, since the primary has committed it. Records at or below <see cref="AppliedSequence"/> are dropped (a repeat from Redis and
/// the change stream overlapping), and a run that does not start at <see cref="NextSequence"/> is refused as a gap,
/// so a change is never applied twice nor skipped. One caller at a time.
/// </summary>
internal sealed class ReplicaRecordWriter
{
    private readonly GateEngine _engine;
    private readonly Dictionary<(string Tenant, ulong Recipient), ulong> _recipientHeads = [];
    private readonly Dictionary<(string Tenant, string Sender), ulong> _senderHeads = [];
    private readonly Action<LogEntry> _fillBackPointers;

    public ReplicaRecordWriter(GateEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _fillBackPointers = FillBackPointers;
        engine.Log.MarkReplica();
    }

    /// <summary>The highest sequence applied (and durable) here.</summary>
    public ulong AppliedSequence => _engine.Applier.AppliedSequence;

    /// <summary>The sequence the next record must have.</summary>
    public ulong NextSequence => _engine.Log.NextSequence;

    /// <summary>
    /// Appends and applies <paramref name="records"/> (consecutive, in order) after dropping those already here.
    /// Returns false, writing nothing, when they would leave a gap (the first new one is above
    /// <see cref="NextSequence"/>): fetch the missing range first. Completes once they are durable and visible.
    /// </summary>
    public async Task<bool> WriteAsync(IReadOnlyList<ChangeRecord> records, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(records);
        var next = NextSequence;
        var skip = 0;
        while (skip < records.Count && records[skip].Sequence < next)
        {
            skip++;
        }

        if (skip == records.Count)
        {
            return true;
        }

        if (records[skip].Sequence != next)
        {
            return false;
        }

        var entries = new List<LogEntry>(records.Count - skip);
        for (var i = skip; i < records.Count; i++)
        {
            if (records[i].Sequence != next + (ulong)(i - skip))
            {
                throw new InvalidDataException($"The primary sent sequence {records[i].Sequence} where {next + (ulong)(i - skip)} was due: records of one message must be consecutive.");
            }

            entries.Add(new LogEntry { Record = records[i] });
        }

        try
        {
            // Applied once enqueued, without waiting for this node's fsync: the records are committed at the primary, so
            // a crash here loses nothing (the restart resumes after what this log kept and fetches the rest again). A
            // checkpoint taken meanwhile may be ahead of the log after a crash; opening then skips it. A failed local
            // commit faults the log, and the next run throws ChangeLogFaultedException (the process must restart).
            var last = _engine.Log.EnqueueReplicated(entries, _fillBackPointers);
            _engine.Applier.Enqueue(entries);

            // Back-pointers of the next run read the heads the applier keeps, so wait until this run is applied.
            await _engine.Applier.WaitForAppliedAsync(last, ct);
        }
        finally
        {
            _recipientHeads.Clear();
            _senderHeads.Clear();
        }

        return true;
    }

    private void FillBackPointers(LogEntry entry)
    {
        // Same chains as the primary's WritePipeline builds: the previous record of the same (tenant, recipient) and
        // (tenant, sender), from the applied heads or, within this run, from the records before it.
        var record = entry.Record;
        var scopes = _engine.Scopes;
        var heads = _engine.Heads;
        if (record.Recipient.Length != 0 && E164.TryParse(record.Recipient, out var recipient))
        {
            var key = (record.TenantId, recipient);
            entry.PreviousForRecipient = _recipientHeads.TryGetValue(key, out var pending)
                ? pending
                : scopes.TryGetTenantId(record.TenantId, out var tenantId) ? heads.GetRecipientHead(tenantId, recipient) : 0;
            _recipientHeads[key] = record.Sequence;
        }

        if (record.Sender.Length != 0)
        {
            var key = (record.TenantId, record.Sender);
            entry.PreviousForSender = _senderHeads.TryGetValue(key, out var pending)
                ? pending
                : scopes.TryGetTenantId(record.TenantId, out var tenantId) ? heads.GetSenderHead(tenantId, record.Sender) : 0;
            _senderHeads[key] = record.Sequence;
        }
    }
}
