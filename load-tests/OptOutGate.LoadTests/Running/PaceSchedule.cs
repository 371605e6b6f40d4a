using System.Diagnostics;

namespace OptOutGate.LoadTests.Running;

/// <summary>
/// The slots of a paced run: call k is due at start + k / rps. The measured part keeps a schedule of its own from
/// <c>measureFrom</c>, so whatever the warm-up left late (a cold client cannot keep the rate while it compiles) is not
/// carried into the figures. Used by one thread.
/// </summary>
internal sealed class PaceSchedule(long start, long measureFrom, double rps)
{
    private long _from = start;
    private long _slot;
    private bool _warmingUp = measureFrom > start;

    /// <summary>The next slot, a <see cref="Stopwatch"/> timestamp.</summary>
    public long Next()
    {
        var due = _from + (long)(_slot++ * Stopwatch.Frequency / rps);
        if (_warmingUp && due >= measureFrom)
        {
            _warmingUp = false;
            (_from, _slot, due) = (measureFrom, 1, measureFrom);
        }

        return due;
    }
}
