using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.History;

/// <summary>Reads a <see cref="TimeRange"/> (common.proto: half-open, unset bounds open, end not before start).</summary>
internal static class TimeRanges
{
    public static bool TryRead(TimeRange? range, string field, out DateTime? start, out DateTime? end, out string error)
    {
        start = null;
        end = null;
        error = "";
        if (range is null)
        {
            return true;
        }

        try
        {
            start = range.StartTime?.ToDateTime();
            end = range.EndTime?.ToDateTime();
        }
        catch (InvalidOperationException)
        {
            error = field + " holds a timestamp outside 0001-01-01..9999-12-31 or with invalid nanos.";
            return false;
        }

        if (start is { } s && end is { } e && e < s)
        {
            error = field + ".end_time is before start_time.";
            return false;
        }

        return true;
    }
}
