namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>One counter or gauge series.</summary>
internal sealed class SumSeries
{
    private double _value;

    public double Value => Volatile.Read(ref _value);

    public void Add(double value) => AtomicDouble.Add(ref _value, value);

    public void Set(double value) => Volatile.Write(ref _value, value);
}
