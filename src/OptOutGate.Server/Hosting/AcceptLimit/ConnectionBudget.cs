using System.Diagnostics.Metrics;

namespace OptOutGate.Server.Hosting.AcceptLimit;

/// <summary>
/// The connections of every listener together: at most <see cref="MaxConnections"/> open (handed to Kestrel), and at
/// most <see cref="MaxAccepted"/> sockets accepted and not yet closed, which adds those over the limit that are being
/// closed. Past <see cref="MaxAccepted"/> nothing is accepted. Refusals are counted (meter "OptOutGate.Connections")
/// and logged as a summary at most every <see cref="ReportInterval"/>, not a line each: under a flood a line per
/// connection (Kestrel's own limit logs one at Warning) made the console log the busiest part of the gate.
/// </summary>
internal sealed class ConnectionBudget : IDisposable
{
    public const string MeterName = "OptOutGate.Connections";

    /// <summary>The least time between two refusal reports.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(10);

    // Never disposed: connections still closing after the host's services are disposed give their slots back to it
    // (a SemaphoreSlim's Dispose frees only a wait handle, which this one never creates).
    private readonly SemaphoreSlim _slots;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Meter _meter;
    private int _open;
    private long _refusedTotal;
    private long _unreported;
    private long _lastReport;

    public ConnectionBudget(int maxConnections, int rejectionMargin, ILogger<ConnectionBudget> logger, TimeProvider time, IMeterFactory meterFactory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rejectionMargin);
        MaxConnections = maxConnections;
        MaxAccepted = maxConnections + rejectionMargin;
        _slots = new SemaphoreSlim(MaxAccepted, MaxAccepted);
        _logger = logger;
        _time = time;
        _meter = meterFactory.Create(MeterName);
        // Observed at each scrape rather than added to: the series is there from the start at 0, so that a rate() or an
        // alert on it has a value before the first refusal.
        _meter.CreateObservableCounter("optoutgate.connections.refused", () => Volatile.Read(ref _refusedTotal), "{connection}", "Connections accepted over the connection limit and closed at once.");
        _meter.CreateObservableGauge("optoutgate.connections.open", () => Volatile.Read(ref _open), "{connection}", "Connections open (at most the connection limit).");
    }

    public int MaxConnections { get; }

    public int MaxAccepted { get; }

    /// <summary>Sockets accepted and not yet closed: open connections and refused ones being closed.</summary>
    public int Accepted => MaxAccepted - _slots.CurrentCount;

    /// <summary>Connections refused since the start.</summary>
    public long RefusedTotal => Volatile.Read(ref _refusedTotal);

    /// <summary>Connections open.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Waits for room to accept one more socket.</summary>
    public Task WaitToAcceptAsync(CancellationToken ct) => _slots.WaitAsync(ct);

    /// <summary>Gives back the room of a socket that was not accepted, or has been closed.</summary>
    public void Closed() => _slots.Release();

    /// <summary>Takes a place among the open connections for an accepted socket; false: the gate is at its limit.</summary>
    public bool TryOpen()
    {
        if (Interlocked.Increment(ref _open) <= MaxConnections)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    /// <summary>An open connection was closed.</summary>
    public void OpenClosed()
    {
        Interlocked.Decrement(ref _open);
        _slots.Release();
    }

    /// <summary>Counts a refused connection; reports the refusals since the last report when the interval has passed.</summary>
    public void Refused()
    {
        Interlocked.Increment(ref _refusedTotal);
        Interlocked.Increment(ref _unreported);
        var now = _time.GetTimestamp();
        var last = Volatile.Read(ref _lastReport);
        var sinceLast = last == 0 ? TimeSpan.MaxValue : _time.GetElapsedTime(last, now);
        if (sinceLast >= ReportInterval && Interlocked.CompareExchange(ref _lastReport, now, last) == last)
        {
            var refused = Interlocked.Exchange(ref _unreported, 0);
            if (last == 0)
            {
                HostingLog.ConnectionsRefusing(_logger, MaxConnections);
            }
            else
            {
                HostingLog.ConnectionsRefusedSince(_logger, MaxConnections, refused, sinceLast.TotalSeconds);
            }
        }
    }

    public void Dispose() => _meter.Dispose();
}
