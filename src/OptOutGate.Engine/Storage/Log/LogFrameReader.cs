using FASTER.core;

namespace OptOutGate.Engine.Storage.Log;

/// <summary>
/// Reads the change log's frames one by one through a FasterLog scan, checking each frame's checksum, for the passes
/// that look at every record (the opening scan, the background verification, counting what a cut loses). A length
/// that does not fit its page (FasterLog throws) is damage to the framing itself: nothing after it can be located.
/// </summary>
internal static class LogFrameReader
{
    /// <summary>The next entry of <paramref name="iterator"/>: whether there is one, and what it holds.</summary>
    public static unsafe LogFrame Next(FasterLogScanIterator iterator)
    {
        byte* entry;
        int length;
        long address;
        long next;
        try
        {
            if (!iterator.UnsafeGetNext(out entry, out length, out address, out next))
            {
                return default;
            }
        }
        catch (FasterException e)
        {
            return new LogFrame(LogFrameKind.FramingDamaged, iterator.NextAddress, iterator.NextAddress, false, 0, e.Message);
        }

        try
        {
            var whole = LogEntryFrame.TryCheck(new ReadOnlySpan<byte>(entry, length), out var sequence);
            return new LogFrame(LogFrameKind.Entry, address, next, whole, sequence, null);
        }
        finally
        {
            iterator.UnsafeRelease();
        }
    }
}

internal enum LogFrameKind
{
    /// <summary>No more entries before the scan's end (or zeroed bytes, which FasterLog takes for a page's padding).</summary>
    End,

    /// <summary>An entry; <see cref="LogFrame.Whole"/> says whether its checksum matches.</summary>
    Entry,

    /// <summary>FasterLog's own framing is damaged here (<see cref="LogFrame.Error"/>).</summary>
    FramingDamaged,
}

/// <summary>One step of <see cref="LogFrameReader"/>: an entry's address, the next one's, and its checksummed sequence.</summary>
internal readonly record struct LogFrame(LogFrameKind Kind, long Address, long Next, bool Whole, ulong Sequence, string? Error);
