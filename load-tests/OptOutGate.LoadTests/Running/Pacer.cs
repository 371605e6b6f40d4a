using System.Diagnostics;

namespace OptOutGate.LoadTests.Running;

/// <summary>
/// An overall rate limit (ghz -r): call k may start at start + k / rps. Slots are absolute, so a worker that fell
/// behind starts at once and the average rate holds even though timers fire with about 1 ms resolution. Like ghz, the
/// latency is taken from the actual start, not the scheduled one.
/// </summary>
internal sealed class Pacer(long start, double rps)
{
    private long _slot = -1;

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var slot = Interlocked.Increment(ref _slot);
        var due = start + (long)(slot * Stopwatch.Frequency / rps);
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (wait >= TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait, cancellationToken);
        }
    }
}
