using System.Runtime.CompilerServices;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Storage.State;

namespace OptOutGate.Engine.History;

/// <summary>
/// History queries over the change log (admin_history.proto), choosing the cheapest way to find a filter's records:
/// <list type="bullet">
/// <item>a recipient filter walks that recipient's back-pointer chain (previous_for_recipient) from its head in
/// <see cref="HistoryHeads"/>: as many reads as the recipient has records, never a log scan;</item>
/// <item>a sender filter (without include_tenant_wide, since tenant-wide records name no sender) walks the sender's
/// chain (previous_for_sender);</item>
/// <item>otherwise the log is read in sequence order.</item>
/// </list>
/// A time range bounds every way from below: binary search of receive time over sequence
/// (<see cref="ReceiveTimeSearch"/>) gives the first record that can match. Records carry event times that may lie
/// before their receive time (carrier time, imported original dates), so the range's end does not bound the read:
/// a back-dated record received later still matches, as the contract's "event_time falls in this range" asks.
/// </summary>
/// <remarks>
/// Reads see the records applied when the call starts (<see cref="GateStateApplier.AppliedSequence"/>), so a history
/// answer never shows a change the state does not show yet. Records of other tenants never match (every record is
/// checked against the caller's tenant, chains included).
/// </remarks>
internal sealed partial class HistoryReader
{
    /// <summary>
    /// How far a record's event time may lie after its receive time (a carrier clock running ahead). The lower bound
    /// found by receive time is moved back by this much, so such records are not missed.
    /// </summary>
    public static readonly TimeSpan EventTimeLead = TimeSpan.FromHours(1);

    /// <summary>Log records one page call reads at most before it returns a short page with a next token.</summary>
    public const int ScanBudget = 100_000;

    /// <summary>Chain records an oldest-first page walks before it reads the log forward instead (a busy sender).</summary>
    public const int ChainBudget = 10_000;

    /// <summary>Chain records an export collects (8 bytes each) before it reads the log forward instead.</summary>
    public const int ExportChainBudget = 1_000_000;

    // Newest-first log reads go backwards in windows of this many records.
    private const int BackwardWindow = 1024;

    private readonly ChangeLog _log;
    private readonly ScopeTable _scopes;
    private readonly HistoryHeads _heads;
    private readonly GateStateApplier _applier;

    public HistoryReader(ChangeLog log, ScopeTable scopes, HistoryHeads heads, GateStateApplier applier)
    {
        _log = log;
        _scopes = scopes;
        _heads = heads;
        _applier = applier;
    }

    public static HistoryReader For(GateEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return new HistoryReader(engine.Log, engine.Scopes, engine.Heads, engine.Applier);
    }

    /// <summary>The sequence reads reflect: every record up to it is applied and readable.</summary>
    public ulong AppliedSequence => Math.Min(_applier.AppliedSequence, _log.LastSequence);

    /// <summary>
    /// One page. <paramref name="position"/> is 0 for the first page, else a previous page's <see cref="HistoryPage.Next"/>
    /// (oldest first: the next sequence to consider, upwards; newest first: downwards).
    /// </summary>
    public async Task<HistoryPage> ReadPageAsync(HistoryQuery query, ulong position, int pageSize, bool newestFirst, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var (low, high) = await BoundsAsync(query, AppliedSequence, ct);
        if (low > high)
        {
            return new HistoryPage([], 0);
        }

        var chain = ChainOf(query, out var head);
        if (chain == Chain.NoRecords)
        {
            return new HistoryPage([], 0);
        }

        if (newestFirst)
        {
            return chain == Chain.None
                ? await NewestByScanAsync(query, position == 0 ? high : Math.Min(position, high), low, pageSize, ct)
                : await NewestByChainAsync(query, chain, position == 0 ? head : position, low, pageSize, ct);
        }

        var start = Math.Max(position, low);
        if (chain != Chain.None)
        {
            var page = await OldestByChainAsync(query, chain, head, start, pageSize, ct);
            if (page is not null)
            {
                return page;
            }
        }

        return await OldestByScanAsync(query, start, high, pageSize, ct);
    }

    /// <summary>
    /// Every matching record up to <paramref name="upTo"/>, oldest first, for exports: constant memory (a chain is held
    /// as sequence numbers only, up to <see cref="ExportChainBudget"/>; beyond that the log is read forward).
    /// </summary>
    public async IAsyncEnumerable<ChangeRecord> ReadAllAsync(HistoryQuery query, ulong upTo, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (low, high) = await BoundsAsync(query, upTo, ct);
        var chain = ChainOf(query, out var head);
        if (low > high || chain == Chain.NoRecords)
        {
            yield break;
        }

        if (chain != Chain.None)
        {
            var sequences = await CollectChainAsync(chain, head, low, ExportChainBudget, ct);
            if (sequences is not null)
            {
                for (var i = sequences.Count - 1; i >= 0; i--)
                {
                    if (sequences[i] <= high && await _log.ReadAsync(sequences[i], ct) is { } entry && query.Matches(entry.Record))
                    {
                        yield return entry.Record;
                    }
                }

                yield break;
            }
        }

        await foreach (var entry in _log.ReadAsync(low, high, ct))
        {
            if (query.Matches(entry.Record))
            {
                yield return entry.Record;
            }
        }
    }

    private async ValueTask<(ulong Low, ulong High)> BoundsAsync(HistoryQuery query, ulong high, CancellationToken ct)
    {
        var first = Math.Max(_log.FirstSequence, 1);
        if (high < first)
        {
            return (1, 0);
        }

        var low = first;
        if (query.Start is { } start)
        {
            var from = start - EventTimeLead < DateTime.MinValue.AddTicks(EventTimeLead.Ticks) ? DateTime.MinValue : start - EventTimeLead;
            low = await ReceiveTimeSearch.FirstAtOrAfterAsync(_log, first, high, from, ct);
        }

        return (low, high);
    }

    private Chain ChainOf(HistoryQuery query, out ulong head)
    {
        head = 0;
        if (!_scopes.TryGetTenantId(query.TenantId, out var tenantId))
        {
            return Chain.NoRecords;
        }

        if (query.Recipient != 0)
        {
            head = _heads.GetRecipientHead(tenantId, query.Recipient);
            return head == 0 ? Chain.NoRecords : Chain.Recipient;
        }

        if (query.Sender.Length != 0 && !query.IncludeTenantWide)
        {
            head = _heads.GetSenderHead(tenantId, query.Sender);
            return head == 0 ? Chain.NoRecords : Chain.Sender;
        }

        return Chain.None;
    }

    private static ulong Previous(LogEntry entry, Chain chain) =>
        chain == Chain.Recipient ? entry.PreviousForRecipient : entry.PreviousForSender;

    private enum Chain
    {
        None,
        NoRecords,
        Recipient,
        Sender,
    }
}
