using System.Diagnostics;

namespace OptOutGate.Engine.Storage.Index;

internal sealed partial class EntryIndex
{
    /// <summary>
    /// After a recovery: marks the kind and scope of every record in the log up to its present tail, on a thread of its
    /// own, while the index serves (every kind counts as present until it is done) and the applier marks what it writes.
    /// Superseded and deleted records are marked too (a mark too many only costs a read); FASTER's raw log scan needs
    /// no temporary store, unlike its live-record iterator. Not saved with checkpoints: rebuilt at every start.
    /// </summary>
    private void StartScopeKindsScan()
    {
        _scopeKinds = new ScopeKinds(complete: false);
        var end = _store.Log.TailAddress;
        _scopeKindsScan = Task.Run(() => ScanScopeKinds(end));
    }

    private void ScanScopeKinds(long end)
    {
        var started = Stopwatch.GetTimestamp();
        long records = 0;
        try
        {
            using var iterator = _store.Log.Scan(_store.Log.BeginAddress, end);
            while (Volatile.Read(ref _disposed) == 0 && iterator.GetNext(out _, out var key, out _))
            {
                _scopeKinds.Mark(key);
                records++;
            }

            if (Volatile.Read(ref _disposed) == 0)
            {
                _scopeKinds.Complete();
                EntryIndexLog.ScopeKindsKnown(_logger, records, ElapsedMs(started));
            }
        }
#pragma warning disable CA1031 // Whatever stops the scan, checks stay correct: they go on reading every kind.
        catch (Exception e)
#pragma warning restore CA1031
        {
            EntryIndexLog.ScopeKindsScanFailed(_logger, e);
        }
    }
}
