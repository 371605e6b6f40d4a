using System.Runtime.CompilerServices;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Storage.State;
using IndexEntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.History;

/// <summary>
/// The current entries of a tenant (ListEntries, ExportEntries). A recipient filter looks up that recipient's keys in
/// each of the tenant's scopes. Any other list pages by the sequence of each entry's last change by walking the
/// history from the page token's sequence on (a seek: the log's sequence → address map, or the snapshot base's
/// fences), keeping each record that is still its entry's last change (the index holds that entry with this
/// sequence) and matches the filter: a page costs the records from its start to its last entry, wherever it starts.
/// Exports stream in index order, one index scan for the whole file.
/// </summary>
/// <remarks>
/// A page reads at most <see cref="VisitsPerEntry"/> records per entry asked for (at least <see cref="MinVisits"/>):
/// where the history between entries is mostly other tenants', superseded changes or MO records, it ends early with
/// fewer entries and a token to go on from (AIP-158 allows short pages), so no call runs for the length of the log.
/// </remarks>
internal sealed class EntryLister
{
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

    /// <summary>Records a page may read per entry it asks for before it ends short (with a token to go on from).</summary>
    public const int VisitsPerEntry = 8;

    /// <summary>Records any page may read before it ends short.</summary>
    public const int MinVisits = 10_000;

    public async Task<EntryPage> ListPageAsync(EntryQuery query, ulong after, int pageSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        if (!_scopes.TryGetTenantId(query.TenantId, out var tenantId))
        {
            return new EntryPage([], 0, 0);
        }

        if (query.Recipient != 0)
        {
            return await RecipientPageAsync(query, tenantId, after, pageSize, ct);
        }

        var from = Math.Max(after + 1, await LowestSequenceAsync(query, ct));
        var to = AppliedSequence;
        var budget = Math.Max((long)pageSize * VisitsPerEntry, MinVisits);
        var entries = new List<Entry>(Math.Min(pageSize, 1024));
        long visited = 0;
        await foreach (var logEntry in RecordsAsync(from, to, ct))
        {
            visited++;
            var record = logEntry.Record;
            if (IsLiveEntry(query, tenantId, record, out var kind, out var value))
            {
                entries.Add(EntryViews.FromRecord(kind, record, value.SmsTypeMask));
                if (entries.Count == pageSize)
                {
                    return new EntryPage(entries, record.Sequence, visited);
                }
            }

            if (visited == budget && record.Sequence < to)
            {
                return new EntryPage(entries, record.Sequence, visited);
            }
        }

        return new EntryPage(entries, 0, visited);
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

    /// <summary>One recipient's entries (a few at most: one per kind and scope), by sequence above <paramref name="after"/>.</summary>
    private async Task<EntryPage> RecipientPageAsync(EntryQuery query, uint tenantId, ulong after, int pageSize, CancellationToken ct)
    {
        var lowest = Math.Max(after + 1, await LowestSequenceAsync(query, ct));
        var candidates = new List<(EntryKey Key, EntryValue Value)>();
        foreach (var candidate in Candidates(query, tenantId))
        {
            if (candidate.Value.Sequence >= lowest)
            {
                candidates.Add(candidate);
            }
        }

        candidates.Sort(static (a, b) => a.Value.Sequence.CompareTo(b.Value.Sequence));
        var entries = new List<Entry>(Math.Min(pageSize, candidates.Count));
        foreach (var (key, value) in candidates)
        {
            if (await ReadEntryAsync(query, key, value, ct) is { } entry)
            {
                entries.Add(entry);
                if (entries.Count == pageSize)
                {
                    return new EntryPage(entries, value.Sequence, candidates.Count);
                }
            }
        }

        return new EntryPage(entries, 0, candidates.Count);
    }

    /// <summary>The history records <paramref name="from"/>..<paramref name="to"/> in order: the snapshot base's below the log's first, then the log's.</summary>
    private async IAsyncEnumerable<LogEntry> RecordsAsync(ulong from, ulong to, [EnumeratorCancellation] CancellationToken ct)
    {
        if (from < _log.FirstSequence && _log.Base is { } snapshotBase)
        {
            await foreach (var entry in snapshotBase.ReadFromAsync(from, ct))
            {
                if (entry.Record.Sequence > to)
                {
                    yield break;
                }

                yield return entry;
            }
        }

        // A replica applies records before its own log commits them: wait for the commit of what is applied (one group
        // commit), so that the walk reaches every applied record.
        if (to > _log.LastSequence)
        {
            await _log.WaitForSequenceAsync(to, ct);
        }

        await foreach (var entry in _log.ReadAsync(Math.Max(from, _log.FirstSequence), to, ct))
        {
            yield return entry;
        }
    }

    /// <summary>Whether <paramref name="record"/> is still the last change of a live entry of the tenant that matches the query.</summary>
    private bool IsLiveEntry(EntryQuery query, uint tenantId, ChangeRecord record, out IndexEntryKind kind, out EntryValue value)
    {
        value = default;
        if (!EntryKinds.TryKindOf(record.Action, out kind, out var adds) || !adds
            || !string.Equals(record.TenantId, query.TenantId, StringComparison.Ordinal)
            || !E164.TryParse(record.Recipient, out var recipient)
            || !EntryTarget.TryResolve(record.Scope, record.Sender, record.App, out var sender, out var app)
            || !_scopes.TryGetScope(tenantId, sender, app, out var scopeId)
            || !_index.TryGet(EntryKey.Create(kind, recipient, scopeId, tenantId), out value)
            || value.Sequence != record.Sequence)
        {
            return false;
        }

        return query.MatchesEntry(kind, new ScopeName(tenantId, sender, app), recipient, value.Source) && query.MatchesTime(record);
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
