using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo;

/// <summary>
/// The MO side's own state, derived from history records like the rest of the engine's state: which carrier messages
/// were seen (duplicate detection, by carrier message id and by content), the latest MO opt-out/opt-in per target
/// (event-time ordering: the latest opt-out/opt-in event per recipient and scope, of any source), the review queue and
/// the removal requests. Folding a record is idempotent, so a record may
/// be folded twice (once when its write completes, once when <see cref="MoLedgerFollower"/> reads it from the log).
/// </summary>
/// <remarks>
/// <para>
/// Durable: everything here is rebuilt from the log (a snapshot taken at a sequence M, then the records after M), so it
/// holds across restarts. Exception: messages that made no record (HELP, NONE, an opt-out of someone already opted
/// out) are remembered in memory only; a retry of one after a restart is answered as the first was, and changes nothing
/// either way.
/// </para>
/// <para>
/// Pending: the write pipeline's loop decides each message (<see cref="TryFindOrClaim"/>) before its record is durable; the
/// claim stays pending until the write completes, so a retry arriving meanwhile waits for the first result.
/// </para>
/// <para>
/// Retention: seen messages and MO order are kept for <see cref="Window"/> after their receive time (DESIGN.md: carrier
/// retries within 24 h); review items and removal requests for good.
/// </para>
/// </remarks>
internal sealed partial class MoLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<UInt128, SeenMo> _messages = [];
    private readonly Dictionary<UInt128, SeenMo> _contents = [];
    private readonly Dictionary<(string Tenant, ulong Recipient), RecipientOrder> _order = [];
    private readonly Dictionary<string, ReviewItemState> _reviewItems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RemovalState> _removals = new(StringComparer.Ordinal);

    private readonly Dictionary<UInt128, SeenMo> _transientMessages = [];
    private readonly Dictionary<UInt128, SeenMo> _transientContents = [];
    private readonly Dictionary<UInt128, MoTicket> _pendingMessages = [];
    private readonly Dictionary<UInt128, MoTicket> _pendingContents = [];
    private readonly Dictionary<(string Tenant, ulong Recipient), List<(ChangeRecord Record, MoTicket Ticket)>> _pendingOrder = [];
    private readonly Dictionary<string, MoTicket> _pendingReviewItems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MoTicket> _pendingRemovals = new(StringComparer.Ordinal);
    private readonly Dictionary<RemovalTarget, MoTicket> _pendingRemovalTargets = [];

    private ulong _folded;
    private long _lastPruneTicks;

    public MoLedger(TimeSpan window)
    {
        Window = window;
    }

    /// <summary>How long seen messages and MO order are remembered after their receive time.</summary>
    public TimeSpan Window { get; }

    /// <summary>The sequence up to which every record is folded (the follower's position).</summary>
    public ulong FoldedSequence
    {
        get
        {
            lock (_lock)
            {
                return _folded;
            }
        }
    }

    /// <summary>Open review items of all tenants (for the metric).</summary>
    public (int Count, DateTime OldestReceiveTime) ReviewQueueStats()
    {
        lock (_lock)
        {
            var count = 0;
            var oldest = DateTime.MaxValue;
            foreach (var item in _reviewItems.Values)
            {
                if (!item.Resolved)
                {
                    count++;
                    var received = item.Item.ReceiveTime.ToDateTime();
                    if (received < oldest)
                    {
                        oldest = received;
                    }
                }
            }

            return (count, oldest);
        }
    }

    /// <summary>
    /// Decides whether the message was seen: by carrier id, else by content within the window. A hit that is still
    /// pending carries its ticket (wait for it); otherwise <paramref name="seen"/> is the original's outcome. On a miss the
    /// keys are claimed for <paramref name="ticket"/> (pending until it completes) and false is returned.
    /// </summary>
    public bool TryFindOrClaim(UInt128 message, UInt128 content, DateTime now, MoTicket ticket, out SeenMo seen, out MoTicket? pending)
    {
        lock (_lock)
        {
            if (TryFindLocked(message, content, now, out seen, out pending))
            {
                return true;
            }

            _pendingMessages[message] = ticket;
            _pendingContents[content] = ticket;
            ticket.Messages.Add(message);
            ticket.Contents.Add(content);
            return false;
        }
    }

    /// <summary>Whether the message was seen (no claim); see <see cref="TryFindOrClaim"/>.</summary>
    public bool TryFind(UInt128 message, UInt128 content, DateTime now, out SeenMo seen, out MoTicket? pending)
    {
        lock (_lock)
        {
            return TryFindLocked(message, content, now, out seen, out pending);
        }
    }

    /// <summary>Remembers a message that makes no record (HELP, NONE), unless it was seen; true when it was a duplicate.</summary>
    public bool TryFindOrRemember(UInt128 message, UInt128 content, DateTime now, SeenMo outcome, out SeenMo seen, out MoTicket? pending)
    {
        lock (_lock)
        {
            if (TryFindLocked(message, content, now, out seen, out pending))
            {
                return true;
            }

            _transientMessages[message] = outcome;
            _transientContents[content] = outcome;
            return false;
        }
    }

    /// <summary>
    /// The ordering state of a recipient as of every record folded plus the decisions still being written (a copy the
    /// caller may keep). Within the ledger's window it knows every event; older scopes are gone, and the caller falls
    /// back on the entry's own record (MoDecision).
    /// </summary>
    public RecipientOrder OrderOf(string tenant, ulong recipient)
    {
        lock (_lock)
        {
            var order = _order.TryGetValue((tenant, recipient), out var folded) ? folded.Clone() : new RecipientOrder();
            if (_pendingOrder.TryGetValue((tenant, recipient), out var pending))
            {
                foreach (var (record, _) in pending)
                {
                    order.Fold(record, 0);
                }
            }

            return order;
        }
    }

    /// <summary>Adds decided records of a recipient to its ordering state until <paramref name="ticket"/> completes.</summary>
    public void ClaimOrder(string tenant, ulong recipient, IEnumerable<ChangeRecord> records, MoTicket ticket)
    {
        lock (_lock)
        {
            var key = (tenant, recipient);
            if (!_pendingOrder.TryGetValue(key, out var pending))
            {
                pending = [];
                _pendingOrder[key] = pending;
            }

            foreach (var record in records)
            {
                pending.Add((record, ticket));
            }

            ticket.Orders.Add(key);
        }
    }

    /// <summary>
    /// Completes a ticket after its write: folds the records it wrote (all durable), drops its pending claims, and
    /// remembers the message in memory when it wrote none.
    /// </summary>
    public void Complete(MoTicket ticket, IReadOnlyList<ChangeRecord> written, SeenMo outcome)
    {
        lock (_lock)
        {
            foreach (var record in written)
            {
                FoldLocked(record);
            }

            if (written.Count == 0)
            {
                foreach (var key in ticket.Messages)
                {
                    _transientMessages[key] = outcome;
                }

                foreach (var key in ticket.Contents)
                {
                    _transientContents[key] = outcome;
                }
            }

            ReleaseLocked(ticket);
        }

        ticket.Succeed(outcome);
    }

    /// <summary>Drops a ticket whose write failed: its claims go, and a retry is decided afresh.</summary>
    public void Abort(MoTicket ticket, Exception error)
    {
        lock (_lock)
        {
            ReleaseLocked(ticket);
        }

        ticket.Fail(error);
    }

    /// <summary>Folds one committed record (any record; those that do not concern MO are skipped).</summary>
    public void Fold(ChangeRecord record)
    {
        lock (_lock)
        {
            FoldLocked(record);
        }
    }

    /// <summary>Folds committed records in sequence order and advances <see cref="FoldedSequence"/> to <paramref name="through"/>.</summary>
    public void FoldRange(IReadOnlyList<ChangeRecord> records, ulong through)
    {
        lock (_lock)
        {
            foreach (var record in records)
            {
                FoldLocked(record);
            }

            if (through > _folded)
            {
                _folded = through;
            }

            if (records.Count > 0 && records[^1].ReceiveTime is { } receiveTime)
            {
                PruneLocked(receiveTime.ToDateTime().Ticks);
            }
        }
    }

    private bool TryFindLocked(UInt128 message, UInt128 content, DateTime now, out SeenMo seen, out MoTicket? pending)
    {
        // By carrier message id first, then by content (a carrier retry under a new id).
        var oldest = (now - Window).Ticks;
        return TryFindLocked(message, _messages, _pendingMessages, _transientMessages, oldest, out seen, out pending)
            || TryFindLocked(content, _contents, _pendingContents, _transientContents, oldest, out seen, out pending);
    }

    /// <summary>The key as recorded within the window, still being written (<paramref name="pending"/>), or remembered in memory only.</summary>
    private static bool TryFindLocked(
        UInt128 key,
        Dictionary<UInt128, SeenMo> recorded,
        Dictionary<UInt128, MoTicket> writing,
        Dictionary<UInt128, SeenMo> transient,
        long oldest,
        out SeenMo seen,
        out MoTicket? pending)
    {
        pending = null;
        if (recorded.TryGetValue(key, out seen) && seen.ReceiveTicks >= oldest)
        {
            return true;
        }

        if (writing.TryGetValue(key, out pending))
        {
            seen = default;
            return true;
        }

        if (transient.TryGetValue(key, out seen) && seen.ReceiveTicks >= oldest)
        {
            return true;
        }

        seen = default;
        return false;
    }

    private void ReleaseLocked(MoTicket ticket)
    {
        foreach (var key in ticket.Messages)
        {
            Remove(_pendingMessages, key, ticket);
        }

        foreach (var key in ticket.Contents)
        {
            Remove(_pendingContents, key, ticket);
        }

        foreach (var key in ticket.Orders)
        {
            if (_pendingOrder.TryGetValue(key, out var pending))
            {
                pending.RemoveAll(p => p.Ticket == ticket);
                if (pending.Count == 0)
                {
                    _pendingOrder.Remove(key);
                }
            }
        }

        foreach (var id in ticket.ReviewItems)
        {
            Remove(_pendingReviewItems, id, ticket);
        }

        foreach (var id in ticket.Removals)
        {
            Remove(_pendingRemovals, id, ticket);
        }

        foreach (var target in ticket.RemovalTargets)
        {
            Remove(_pendingRemovalTargets, target, ticket);
        }
    }

    private static void Remove<TKey>(Dictionary<TKey, MoTicket> map, TKey key, MoTicket ticket)
        where TKey : notnull
    {
        if (map.TryGetValue(key, out var current) && current == ticket)
        {
            map.Remove(key);
        }
    }

    private void PruneLocked(long nowTicks)
    {
        // Once a minute of receive time is plenty: entries only need to be gone eventually, lookups check the window.
        if (nowTicks - _lastPruneTicks < TimeSpan.TicksPerMinute)
        {
            return;
        }

        _lastPruneTicks = nowTicks;
        var oldest = nowTicks - Window.Ticks;
        PruneSeen(_messages, oldest);
        PruneSeen(_contents, oldest);
        PruneSeen(_transientMessages, oldest);
        PruneSeen(_transientContents, oldest);
        foreach (var (key, order) in _order)
        {
            if (order.ReceiveTicks < oldest)
            {
                _order.Remove(key);
            }
        }
    }

    private static void PruneSeen(Dictionary<UInt128, SeenMo> map, long oldest)
    {
        foreach (var (key, seen) in map)
        {
            if (seen.ReceiveTicks < oldest)
            {
                map.Remove(key);
            }
        }
    }
}
