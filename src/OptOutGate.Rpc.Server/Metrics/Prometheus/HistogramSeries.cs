namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>One histogram series: per-bucket counts (the last is +Inf) and the sum; the count is the buckets' total.</summary>
internal sealed class HistogramSeries
{
    private readonly long[] _buckets;
    private double _sum;

    public HistogramSeries(int boundaryCount)
    {
        _buckets = new long[boundaryCount + 1];
    }

    public double Sum => Volatile.Read(ref _sum);

    public void Record(double value, double[] boundaries)
    {
        // Bucket i counts values <= boundaries[i] ("le"); an exact hit belongs to that bucket.
        var index = Array.BinarySearch(boundaries, value);
        if (index < 0)
        {
            index = ~index;
        }

        Interlocked.Increment(ref _buckets[index]);
        AtomicDouble.Add(ref _sum, value);
    }

    /// <summary>
    /// Copies the bucket counts into <paramref name="counts"/>. The count is derived from them (not kept apart)
    /// so that a scrape racing a Record still satisfies the format's rule <c>_count == bucket{le="+Inf"}</c>.
    /// </summary>
    public void CopyBuckets(Span<long> counts)
    {
        for (var i = 0; i < _buckets.Length; i++)
        {
            counts[i] = Volatile.Read(ref _buckets[i]);
        }
    }
}
