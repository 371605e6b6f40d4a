using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace OptOutGate.Core.Index;

internal sealed partial class EntryIndex
{
    /// <summary>
    /// Recovers the index exactly as it was when <paramref name="checkpointToken"/> was taken: FASTER's hash index and
    /// hybrid log from <c>checkpoints/</c> and <c>log/</c> (every log page that fits in memory is loaded before this
    /// returns, so the first lookups do not go to disk), then the recipient filter and live count saved beside it (or,
    /// if that file is missing or damaged, rebuilt from a scan). Records written after the checkpoint are ignored; the
    /// caller replays the change log from the checkpoint's sequence.
    /// </summary>
    public static EntryIndex Recover(EntryIndexOptions options, Guid checkpointToken, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        var index = new EntryIndex(options, logger, recoverDevice: true);
        try
        {
            index._store.Recover(checkpointToken, numPagesToPreload: -1, undoNextVersion: true);
            var fasterMs = ElapsedMs(started);
            string source;
            if (RecipientFilterFile.TryLoad(index.FilterPath(checkpointToken), checkpointToken, out var filter, out var count))
            {
                index._filter = filter!;
                index._count = count;
                source = "loaded";
            }
            else
            {
                EntryIndexLog.FilterRebuilt(logger, checkpointToken);
                index.RebuildFilterFromScan();
                source = "rebuilt";
            }

            EntryIndexLog.Recovered(logger, checkpointToken, index._count, ElapsedMs(started), fasterMs, source);
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes a full checkpoint (FASTER's hash index and hybrid log, <see cref="EntryIndexOptions.CheckpointType"/>) and
    /// saves the recipient filter and live count beside it; blocks until all of it is on disk. Call it with the
    /// applier paused, so that the checkpoint holds exactly the applied state. Readers may keep reading.
    /// </summary>
    public Guid TakeCheckpoint()
    {
        ThrowIfDisposed();
        var started = Stopwatch.GetTimestamp();
        var (taken, token) = _store.TakeFullCheckpointAsync(_options.CheckpointType).AsTask().GetAwaiter().GetResult();
        if (!taken)
        {
            IndexThrow.CheckpointFailed();
        }

        RecipientFilterFile.Save(FilterPath(token), token, _filter, Count);
        EntryIndexLog.CheckpointTaken(_logger, token, Count, ElapsedMs(started));
        return token;
    }

    /// <summary>
    /// Deletes every checkpoint but <paramref name="keep"/> (FASTER's files and the saved filters). The coordinator
    /// calls it once the checkpoint it names in its own file is durable.
    /// </summary>
    public void PurgeCheckpointsExcept(Guid keep)
    {
        ThrowIfDisposed();
        var tokens = new HashSet<Guid>(_checkpoints.GetLogCheckpointTokens());
        tokens.UnionWith(_checkpoints.GetIndexCheckpointTokens());
        tokens.Remove(keep);
        foreach (var token in tokens)
        {
            _checkpoints.Purge(token);
            File.Delete(FilterPath(token));
            EntryIndexLog.CheckpointPurged(_logger, token);
        }
    }

    private string FilterPath(Guid token) =>
        Path.Combine(_options.Directory, CheckpointFolder, FilterFolder, token.ToString("N") + ".filter");

    private void RebuildFilterFromScan()
    {
        var filter = new RecipientFilter(_options.ExpectedEntries);
        long count = 0;
        foreach (var (key, _) in Scan())
        {
            filter.Add(key.Recipient);
            count++;
        }

        _filter = filter;
        _count = count;
    }
}
