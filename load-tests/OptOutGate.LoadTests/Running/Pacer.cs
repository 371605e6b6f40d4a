using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OptOutGate.LoadTests.Running;

/// <summary>
/// An overall rate limit (ghz -r): call k may start at start + k / rps. A dedicated thread releases the starts one at a
/// time at their instants, sleeping with an absolute monotonic-clock deadline (Linux clock_nanosleep, tens of
/// microseconds of precision). Why not Task.Delay: its timers fire with about 1 ms resolution, so at 6,000 calls/s six
/// calls would start together every millisecond and queue behind each other at the server; the measured latency would
/// then be the generator's burst, not the gate's. Slots are absolute, so a worker that fell behind starts at once and
/// the average rate holds; but a backlog left over from the warm-up (a cold client cannot keep the rate while it
/// compiles) is dropped when the measured part begins, which starts its own schedule. Unlike ghz, a paced call's
/// latency is taken from its scheduled start (as wrk2 does against coordinated omission): when every worker is busy
/// the next call starts late, and that wait is queueing the gate caused, which a latency from the actual start would
/// hide (fewer workers would then look faster).
/// </summary>
internal sealed partial class Pacer : IDisposable
{
    private readonly SemaphoreSlim _starts = new(0);
    private readonly System.Collections.Concurrent.ConcurrentQueue<long> _due = new();
    private readonly long _start;
    private readonly long _measureFrom;
    private readonly double _rps;
    private readonly Thread _thread;
    private volatile bool _stopped;

    /// <param name="start">The first slot, a <see cref="Stopwatch"/> timestamp.</param>
    /// <param name="measureFrom">Where the measured part begins (the end of the warm-up): slots start afresh there.</param>
    /// <param name="rps">Starts per second.</param>
    public Pacer(long start, long measureFrom, double rps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rps);
        _start = start;
        _measureFrom = measureFrom;
        _rps = rps;
        _thread = new Thread(Release) { IsBackground = true, Name = "load pacer" };
        _thread.Start();
    }

    /// <summary>
    /// Completes at this caller's start slot (at once when the slot has passed) with the slot's scheduled instant, a
    /// <see cref="Stopwatch"/> timestamp. Slots are handed out in order.
    /// </summary>
    public async ValueTask<long> WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _starts.WaitAsync(cancellationToken);
            var due = _due.TryDequeue(out var slot) ? slot : Stopwatch.GetTimestamp();

            // The warm-up's backlog is dropped here, by the taker, once measuring has begun: the releasing thread may
            // run late (a busy machine), so it cannot be the one to drop it before a caller takes a stale slot.
            if (due >= _measureFrom || Stopwatch.GetTimestamp() < _measureFrom)
            {
                return due;
            }
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
        _starts.Dispose();
    }

    private void Release()
    {
        var schedule = new PaceSchedule(_start, _measureFrom, _rps);
        while (!_stopped)
        {
            var due = schedule.Next();
            SleepUntil(due);
            _due.Enqueue(due);
            _starts.Release();
        }
    }

    internal static void SleepUntil(long timestamp)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        if (OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000)
        {
            // Stopwatch is CLOCK_MONOTONIC in nanoseconds on Linux: sleep to the absolute instant (no drift).
            var until = new TimeSpec { Seconds = timestamp / 1_000_000_000, Nanoseconds = timestamp % 1_000_000_000 };
            while (ClockNanoSleep(ClockMonotonic, TimerAbsoluteTime, in until, IntPtr.Zero) == InterruptedBySignal)
            {
            }

            return;
        }

        Thread.Sleep(wait);
    }

    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const int InterruptedBySignal = 4;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>Returns 0 or an error number (not errno): EINTR (4) when a signal woke the thread early.</summary>
    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanoSleep(int clock, int flags, in TimeSpec request, IntPtr remaining);
}
