using System.Runtime.CompilerServices;
using OptOutGate.Contracts.V1;
using OptOutGate.Core.Durability;
using OptOutGate.Core.Engine;
using OptOutGate.Core.Index;
using OptOutGate.Core.State;
using IndexEntryKind = OptOutGate.Core.Index.EntryKind;

namespace OptOutGate.Core.History;

/// <summary>
/// The current entries of a tenant (ListEntries, ExportEntries), read from the index: a recipient filter looks up that
/// recipient's keys in each of the tenant's scopes; any other filter scans the index (<see cref="EntryIndex.Scan"/>)
/// and keeps only the tenant's keys. Each entry's reason, time and actor come from its history record.
/// </summary>
/// <remarks>
/// Pages are ordered by the sequence of each entry's last change, so a page scans the index once and keeps the
/// smallest sequences above the token's (a bounded heap: memory is a few pages whatever the tenant's size). The cost is
/// one index scan per page; a secondary index by (tenant, sequence) is the next step if lists of millions of entries
/// are paged through often. Exports stream in index order, one scan for the whole file.
/// </remarks>
internal sealed class EntryLister
{
    private static readonly IComparer<ulong> Descending = Comparer<ulong>.Create(static (a, b) => b.CompareTo(a));

    private readonly EntryIndex _index;
    private readonly ScopeTable _scopes;
    private readonly ChangeLog _log;
    private readonly GateStateApplier _applier;

    public EntryLister(EntryIndex index, ScopeTable scopes, ChangeLog log, GateStateApplier applier)
    {
        _index = index;
        _scopes = scopes;
        _log = log;
        _applier = applier;
    }

    public static EntryLister For(GateEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return new EntryLister(engine.Index, engine.Scopes, engine.Log, engine.Applier);
    }

    /// <summary>The sequence of the state lists reflect (entries changed while a scan runs may show either value).</summary>
    public ulong AppliedSequence => _applier.AppliedSequence;

    public async Task<EntryPage> ListPageAsync(EntryQuery query, ulong after, int pageSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        if (!_scopes.TryGetTenantId(query.TenantId, out var tenantId))
        {
            return new EntryPage([], 0);
        }

        var threshold = Math.Max(after + 1, await LowestSequenceAsync(query, ct));
        var keep = pageSize * 2;
        var entries = new List<Entry>(Math.Min(pageSize, 1024));
        while (true)
        {
            var candidates = SmallestAbove(query, tenantId, threshold, keep);
            foreach (var (sequence, key, value) in candidates)
            {
                if (await ReadEntryAsync(query, key, value, ct) is { } entry)
                {
                    entries.Add(entry);
                    if (entries.Count == pageSize)
                    {
                        return new EntryPage(entries, sequence);
                    }
                }
            }

            if (candidates.Count < keep)
            {
                return new EntryPage(entries, 0);
            }

            // Every candidate of this round failed the time range: the next round starts after them.
            threshold = candidates[^1].Sequence + 1;
        }
    }

    /// <summary>Every matching entry, in index order (not sorted: an export holds no more than one scan chunk).</summary>
    public async IAsyncEnumerable<Entry> ReadAllAsync(EntryQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!_scopes.TryGetTenantId(query.TenantId, out var tenantId))
        {
            yield break;
        }

        var lowest = await LowestSequenceAsync(query, ct);
        foreach (var (key, value) in Candidates(query, tenantId))
        {
            ct.ThrowIfCancellationRequested();
            if (value.Sequence >= lowest && await ReadEntryAsync(query, key, value, ct) is { } entry)
            {
                yield return entry;
            }
        }
    }

    private async ValueTask<Entry?> ReadEntryAsync(EntryQuery query, EntryKey key, EntryValue value, CancellationToken ct)
    {
        if (await _log.ReadAsync(value.Sequence, ct) is not { } logEntry || !query.MatchesTime(logEntry.Record))
        {
            return null;
        }

        return EntryViews.FromRecord(key.Kind, logEntry.Record, value.SmsTypeMask);
    }

    /// <summary>With a time range, entries last changed before its start (less the carrier lead) cannot match.</summary>
    private async ValueTask<ulong> LowestSequenceAsync(EntryQuery query, CancellationToken ct)
    {
        if (query.Start is not { } start)
        {
            return 0;
        }

        var applied = AppliedSequence;
        var from = start.Ticks > HistoryReader.EventTimeLead.Ticks ? start - HistoryReader.EventTimeLead : DateTime.MinValue;
        var first = Math.Max(_log.FirstSequence, 1);
        var lowest = await ReceiveTimeSearch.FirstAtOrAfterAsync(_log, first, applied, from, ct);

        // The records before the log's first (a replica's snapshot base) have no receive time to bound them by.
        return lowest <= first && first > 1 ? 0 : lowest;
    }

    private List<(ulong Sequence, EntryKey Key, EntryValue Value)> SmallestAbove(EntryQuery query, uint tenantId, ulong threshold, int keep)
    {
        var heap = new PriorityQueue<(EntryKey Key, EntryValue Value), ulong>(keep + 1, Descending);
        foreach (var (key, value) in Candidates(query, tenantId))
        {
            var sequence = value.Sequence;
            if (sequence < threshold || (heap.Count == keep && heap.TryPeek(out _, out var largest) && sequence >= largest))
            {
                continue;
            }

            heap.Enqueue((key, value), sequence);
            if (heap.Count > keep)
            {
                heap.Dequeue();
            }
        }

        var list = new List<(ulong, EntryKey, EntryValue)>(heap.Count);
        while (heap.TryDequeue(out var item, out var sequence))
        {
            list.Add((sequence, item.Key, item.Value));
        }

        list.Reverse();
        return list;
    }

    private IEnumerable<(EntryKey Key, EntryValue Value)> Candidates(EntryQuery query, uint tenantId)
    {
        if (query.Recipient != 0)
        {
            foreach (var (scopeId, name) in _scopes.ScopesOf(tenantId))
            {
                for (var kind = IndexEntryKind.OptOut; kind <= IndexEntryKind.AddressOptIn; kind++)
                {
                    var key = EntryKey.Create(kind, query.Recipient, scopeId, tenantId);
                    if (_index.TryGet(key, out var value) && query.MatchesEntry(kind, name, query.Recipient, value.Source))
                    {
                        yield return (key, value);
                    }
                }
            }

            yield break;
        }

        foreach (var (key, value) in _index.Scan())
        {
            if (key.TenantId == tenantId
                && _scopes.TryGetScopeName(key.ScopeId, out var name)
                && query.MatchesEntry(key.Kind, name, key.Recipient, value.Source))
            {
                yield return (key, value);
            }
        }
    }
}
