using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.History;

internal sealed partial class HistoryReader
{
    /// <summary>Walks the chain down from <paramref name="position"/> (a chain element: the head, or a token's next).</summary>
    private async Task<HistoryPage> NewestByChainAsync(HistoryQuery query, Chain chain, ulong position, ulong low, int pageSize, CancellationToken ct)
    {
        var records = new List<ChangeRecord>(Math.Min(pageSize, 1024));
        var steps = 0;
        while (position != 0 && position >= low)
        {
            if (records.Count == pageSize || steps++ == ScanBudget)
            {
                return new HistoryPage(records, position);
            }

            if (await _log.ReadAsync(position, ct) is not { } entry)
            {
                break;
            }

            if (query.Matches(entry.Record))
            {
                records.Add(entry.Record);
            }

            position = Previous(entry, chain);
        }

        return new HistoryPage(records, 0);
    }

    /// <summary>
    /// The oldest records at or after <paramref name="start"/> of a chain: walks down from the head keeping only the
    /// smallest pageSize + 1 matches (so memory is one page), and the extra one names where the next page starts.
    /// Null when the chain holds more than <see cref="ChainBudget"/> records above <paramref name="start"/>: the
    /// caller then reads the log forward, which is cheaper for a sender that busy.
    /// </summary>
    private async Task<HistoryPage?> OldestByChainAsync(HistoryQuery query, Chain chain, ulong head, ulong start, int pageSize, CancellationToken ct)
    {
        var kept = new Queue<ChangeRecord>(Math.Min(pageSize + 1, 1025));
        var position = head;
        var steps = 0;
        while (position != 0 && position >= start)
        {
            if (steps++ == ChainBudget)
            {
                return null;
            }

            if (await _log.ReadAsync(position, ct) is not { } entry)
            {
                break;
            }

            if (query.Matches(entry.Record))
            {
                kept.Enqueue(entry.Record);
                if (kept.Count > pageSize + 1)
                {
                    kept.Dequeue();
                }
            }

            position = Previous(entry, chain);
        }

        var ascending = kept.ToArray();
        Array.Reverse(ascending);
        return ascending.Length > pageSize
            ? new HistoryPage(ascending[..pageSize], ascending[pageSize].Sequence)
            : new HistoryPage(ascending, 0);
    }

    private async Task<HistoryPage> OldestByScanAsync(HistoryQuery query, ulong start, ulong high, int pageSize, CancellationToken ct)
    {
        var records = new List<ChangeRecord>(Math.Min(pageSize, 1024));
        var scanned = 0;
        await foreach (var entry in _log.ReadAsync(start, high, ct))
        {
            var sequence = entry.Record.Sequence;
            if (query.Matches(entry.Record))
            {
                records.Add(entry.Record);
            }

            if (records.Count == pageSize || ++scanned == ScanBudget)
            {
                return new HistoryPage(records, sequence < high ? sequence + 1 : 0);
            }
        }

        return new HistoryPage(records, 0);
    }

    private async Task<HistoryPage> NewestByScanAsync(HistoryQuery query, ulong position, ulong low, int pageSize, CancellationToken ct)
    {
        var records = new List<ChangeRecord>(Math.Min(pageSize, 1024));
        var window = new List<ChangeRecord>(BackwardWindow);
        var scanned = 0;
        while (position >= low && position != 0)
        {
            var from = position - low >= BackwardWindow ? position - BackwardWindow + 1 : low;
            window.Clear();
            await foreach (var entry in _log.ReadAsync(from, position, ct))
            {
                window.Add(entry.Record);
            }

            for (var i = window.Count - 1; i >= 0; i--)
            {
                var record = window[i];
                if (query.Matches(record))
                {
                    records.Add(record);
                }

                if (records.Count == pageSize || ++scanned == ScanBudget)
                {
                    return new HistoryPage(records, record.Sequence > low ? record.Sequence - 1 : 0);
                }
            }

            position = from - 1;
        }

        return new HistoryPage(records, 0);
    }

    /// <summary>The chain's sequences from the head down to <paramref name="low"/>; null past <paramref name="budget"/>.</summary>
    private async Task<List<ulong>?> CollectChainAsync(Chain chain, ulong head, ulong low, int budget, CancellationToken ct)
    {
        var sequences = new List<ulong>();
        var position = head;
        while (position != 0 && position >= low)
        {
            if (sequences.Count == budget)
            {
                return null;
            }

            if (await _log.ReadAsync(position, ct) is not { } entry)
            {
                break;
            }

            sequences.Add(position);
            position = Previous(entry, chain);
        }

        return sequences;
    }
}
