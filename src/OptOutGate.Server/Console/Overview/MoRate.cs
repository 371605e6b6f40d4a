using System.Diagnostics.Metrics;

namespace OptOutGate.Server.WebConsole.Overview;

/// <summary>
/// MO messages per minute over the last hour, for the overview: a listener on the gate's own MO counter
/// (optoutgate.mo.messages, the one /metrics exports) from this host's meter factory, summed into one bucket a minute.
/// </summary>
internal sealed class MoRate(IMeterFactory meters, TimeProvider time) : IDisposable
{
    public const int Minutes = 60;
    private const string Instrument = "optoutgate.mo.messages";

    private readonly long[] _counts = new long[Minutes];
    private readonly long[] _minuteOf = new long[Minutes];
    private readonly Lock _lock = new();
    private MeterListener? _listener;

    public void Start()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // This host's meter only: another gate in the same process (tests) has its own factory.
                if (instrument.Name == Instrument && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Add(value));
        listener.Start();
        _listener = listener;
    }

    /// <summary>Messages in each of the last <see cref="Minutes"/> minutes, oldest first; the last is the minute under way.</summary>
    public long[] PerMinute()
    {
        var now = CurrentMinute();
        var result = new long[Minutes];
        lock (_lock)
        {
            for (var i = 0; i < Minutes; i++)
            {
                var minute = now - (Minutes - 1) + i;
                var slot = (int)(minute % Minutes);
                result[i] = _minuteOf[slot] == minute ? _counts[slot] : 0;
            }
        }

        return result;
    }

    public void Dispose() => _listener?.Dispose();

    private void Add(long value)
    {
        var minute = CurrentMinute();
        var slot = (int)(minute % Minutes);
        lock (_lock)
        {
            if (_minuteOf[slot] != minute)
            {
                _minuteOf[slot] = minute;
                _counts[slot] = 0;
            }

            _counts[slot] += value;
        }
    }

    private long CurrentMinute() => time.GetUtcNow().ToUnixTimeSeconds() / 60;
}
