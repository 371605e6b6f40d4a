using System.Diagnostics;
using OptOutGate.Engine.Storage.Checkpoints;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine;

internal sealed partial class GateEngine
{
    private EntryIndexOptions _indexOptions = null!;

    // The index log checksum of the newest checkpoint (loaded and verified, or taken): the next one continues it.
    private IndexLogChecksum? _indexLogChecksum;

    private async Task<ulong> CheckpointCoreAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        SavedState saved;
        ulong sequence;
        using (var pause = await Applier.PauseAsync(ct))
        {
            sequence = pause.Sequence;
            if (sequence == LastCheckpointSequence)
            {
                return sequence;
            }

            saved = await SaveStateAsync(sequence);
        }

        // A replica applies records before its own log commits them; a checkpoint counts only once the log holds what it
        // reflects, so that a checkpoint ahead of the log always means lost records (GateEngine.Open refuses then).
        await Log.WaitForSequenceAsync(sequence, ct);
        await Task.Run(() => CommitCheckpoint(saved, sequence, started), CancellationToken.None);

        // The change log saves its sequence map only at dispose and after a long opening scan; after a crash the next
        // open would scan every record since (10 million: 2.3-3 s). Saved here it scans at most one checkpoint's worth,
        // and the save appends only the addresses since the last one.
        try
        {
            await Log.SaveSequenceMapAsync(ct);
        }
        catch (IOException e)
        {
            ChangeLogLog.MapSaveFailed(_logger, e);
        }

        return sequence;
    }

    /// <summary>Writes the state files of a checkpoint at <paramref name="sequence"/>. With the applier paused there.</summary>
    private async Task<SavedState> SaveStateAsync(ulong sequence)
    {
        // The FASTER checkpoint blocks; the applier is parked, so a thread-pool thread is the right place for it.
        var folder = _checkpoints.Prepare(sequence);
        return await Task.Run(() =>
        {
            var token = Index.TakeCheckpoint();

            // Still paused: nothing was written to the index since, so its tail is the checkpoint's final address.
            var saved = new SavedState(folder, token, Index.LogBeginAddress, Index.LogTailAddress);
            Scopes.Save(Path.Combine(folder, CheckpointStore.ScopesFile));
            Config.Save(Path.Combine(folder, CheckpointStore.ConfigFile));
            Heads.Save(Path.Combine(folder, CheckpointStore.HeadsFile));
            return saved;
        }, CancellationToken.None);
    }

    /// <summary>
    /// Makes the checkpoint saved by <see cref="SaveStateAsync"/> count (the applier may run again by now): checksums
    /// of its files and of the index log range it covers go into the manifest, which is written last.
    /// </summary>
    private ulong CommitCheckpoint(SavedState saved, ulong sequence, long started)
    {
        var data = Path.GetFullPath(_options.DataDirectory);
        var files = new List<FileChecksum>
        {
            CheckpointChecksums.OfFile(data, Path.Combine(saved.Folder, CheckpointStore.ScopesFile)),
            CheckpointChecksums.OfFile(data, Path.Combine(saved.Folder, CheckpointStore.ConfigFile)),
            CheckpointChecksums.OfFile(data, Path.Combine(saved.Folder, CheckpointStore.HeadsFile)),
        };
        foreach (var file in EntryIndex.CheckpointFiles(_indexOptions, saved.Token))
        {
            files.Add(CheckpointChecksums.OfFile(data, file));
        }

        var indexLog = CheckpointChecksums.OfIndexLog(_indexOptions, saved.IndexLogBegin, saved.IndexLogEnd, _indexLogChecksum);
        _checkpoints.Commit(saved.Folder, sequence, saved.Token, _time.GetUtcNow(), files, indexLog);
        _indexLogChecksum = indexLog;
        Volatile.Write(ref _lastCheckpointSequence, sequence);

        // Only once the new manifest is durable may older checkpoints go: until then they are what a restart uses. The
        // index keeps the checkpoints of the kept manifests, so the older one stays a whole fallback (its hash index
        // file too; its log range is a prefix of the newer one's).
        _checkpoints.Prune(CheckpointsKept);
        var kept = new List<Guid>(CheckpointsKept);
        foreach (var manifest in _checkpoints.ListComplete())
        {
            kept.Add(manifest.IndexToken);
        }

        Index.PurgeCheckpointsExcept(kept);

        var elapsed = Stopwatch.GetElapsedTime(started);
        _metrics.CheckpointTaken(elapsed);
        EngineLog.CheckpointTaken(_logger, sequence, (long)elapsed.TotalMilliseconds, Index.Count);
        return sequence;
    }

    /// <summary>What <see cref="SaveStateAsync"/> wrote: the checkpoint folder, the index's token and its log range.</summary>
    private readonly record struct SavedState(string Folder, Guid Token, long IndexLogBegin, long IndexLogEnd);
}
