namespace OptOutGate.Engine.Storage.Index;

internal sealed partial class EntryIndex
{
    private const int ScanChunk = 4096;

    /// <summary>
    /// Every live entry, each key once, in log order (not key order), for lists and snapshots. Not for the hot path:
    /// FASTER's live-record iterator walks the whole log (memory and device) and keeps superseded versions in a
    /// temporary store sized like the hash index.
    /// <para>
    /// Consistency: exact when no write runs during the scan (the applier paused, as for a checkpoint). With the
    /// applier running, a key changed or deleted during the scan may be reported with its old value or left out, and a
    /// key inserted during the scan may be left out; callers that need an exact list at a sequence number scan with
    /// the applier paused.
    /// </para>
    /// <para>Records are copied out in chunks, so the enumeration holds no FASTER epoch between items and may be
    /// consumed across awaits and threads.</para>
    /// </summary>
    public IEnumerable<(EntryKey Key, EntryValue Value)> Scan()
    {
        ThrowIfDisposed();
        return ScanChunks();
    }

    private IEnumerable<(EntryKey Key, EntryValue Value)> ScanChunks()
    {
        var chunk = new (EntryKey Key, EntryValue Value)[ScanChunk];
        using var session = NewSession();
        using var iterator = session.Iterate();
        while (true)
        {
            var filled = 0;
            while (filled < chunk.Length && iterator.GetNext(out _, out var key, out var value))
            {
                chunk[filled++] = (key, value);
            }

            for (var i = 0; i < filled; i++)
            {
                yield return chunk[i];
            }

            if (filled < chunk.Length)
            {
                yield break;
            }
        }
    }
}
