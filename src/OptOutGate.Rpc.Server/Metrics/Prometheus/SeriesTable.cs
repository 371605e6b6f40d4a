using System.Collections.Concurrent;

namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>
/// An instrument's series by tag set. Lookups from the listener callback go through the span-keyed alternate
/// lookup, so the steady state allocates nothing and takes no lock; only a new tag set allocates its key.
/// The number of series is capped so that an unbounded tag value (a bug upstream) cannot exhaust memory.
/// </summary>
internal sealed class SeriesTable<TSeries>
    where TSeries : class
{
    private readonly ConcurrentDictionary<TagSet, TSeries> _series = new(TagSetComparer.Instance);
    private readonly ConcurrentDictionary<TagSet, TSeries>.AlternateLookup<TagSpan> _lookup;
    private readonly Func<TSeries> _create;
    private readonly int _maxSeries;
    private int _count;

    public SeriesTable(Func<TSeries> create, int maxSeries)
    {
        _lookup = _series.GetAlternateLookup<TagSpan>();
        _create = create;
        _maxSeries = maxSeries;
    }

    /// <summary>True once a measurement was dropped because the cap was reached.</summary>
    public bool Overflowed { get; private set; }

    public TSeries? GetOrAdd(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        => _lookup.TryGetValue(new TagSpan(tags), out var series) ? series : AddSlow(tags);

    public void Clear()
    {
        _series.Clear();
        Volatile.Write(ref _count, 0);
    }

    /// <summary>The series sorted by label text, so that scrapes list them in a stable order.</summary>
    public KeyValuePair<TagSet, TSeries>[] Snapshot()
    {
        var snapshot = _series.ToArray();
        Array.Sort(snapshot, static (a, b) => string.CompareOrdinal(a.Key.Labels, b.Key.Labels));
        return snapshot;
    }

    private TSeries? AddSlow(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (Volatile.Read(ref _count) >= _maxSeries)
        {
            Overflowed = true;
            return null;
        }

        var created = _create();
        var series = _series.GetOrAdd(TagSet.Create(tags), created);
        if (ReferenceEquals(series, created))
        {
            Interlocked.Increment(ref _count);
        }

        return series;
    }
}
