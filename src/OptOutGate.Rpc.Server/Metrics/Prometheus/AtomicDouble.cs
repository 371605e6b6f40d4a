namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

internal static class AtomicDouble
{
    /// <summary>Lock-free add: a compare-and-swap loop (there is no Interlocked.Add for double).</summary>
    public static void Add(ref double location, double value)
    {
        var current = Volatile.Read(ref location);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref location, current + value, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }
}
