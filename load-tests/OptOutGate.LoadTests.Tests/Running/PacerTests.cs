using System.Diagnostics;
using OptOutGate.LoadTests.Running;

namespace OptOutGate.LoadTests.Tests.Running;

public class PacerTests
{
    private static readonly long Millisecond = Stopwatch.Frequency / 1000;

    [Fact]
    public async Task Starts_come_in_order_at_their_slots_and_never_before()
    {
        var start = Stopwatch.GetTimestamp();
        using var pacer = new Pacer(start, start, rps: 1000);
        var previous = 0L;
        for (var i = 0; i < 50; i++)
        {
            var due = await pacer.WaitAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(Stopwatch.GetTimestamp() >= due, "a start was released before its slot");
            Assert.Equal(start + (i * Millisecond), due);
            Assert.True(due > previous || i == 0);
            previous = due;
        }
    }

    [Fact]
    public async Task The_warm_ups_backlog_is_dropped_when_measuring_begins()
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (50 * Millisecond);
        using var pacer = new Pacer(start, measureFrom, rps: 1000);

        // Nobody takes the warm-up's 50 slots; once measuring begins, the first start is its first slot, not an old one.
        while (Stopwatch.GetTimestamp() < measureFrom + (20 * Millisecond))
        {
            await Task.Yield();
        }

        var due = await pacer.WaitAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(due >= measureFrom, "a warm-up slot survived into the measured part");
    }

    [Fact]
    public async Task No_warm_up_slot_is_handed_out_once_measuring_has_begun_however_late_the_pacer_runs()
    {
        // A warm-up wholly in the past: the pacer's thread releases its 2,000 slots at once, as a thread that woke late
        // on a busy machine would, while the caller is already asking for starts in the measured part.
        var measureFrom = Stopwatch.GetTimestamp();
        using var pacer = new Pacer(measureFrom - (2_000 * Millisecond), measureFrom, rps: 1000);
        for (var i = 0; i < 100; i++)
        {
            var due = await pacer.WaitAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(due >= measureFrom, $"start {i} was given the warm-up slot {(measureFrom - due) / Millisecond} ms before measuring began");
        }
    }
}
