using System.Diagnostics;
using OptOutGate.Engine.Snapshots;

namespace OptOutGate.Engine;

internal sealed partial class GateEngine
{
    /// <summary>Where this engine keeps the snapshot base of a replica bootstrapped from a snapshot.</summary>
    public string SnapshotBasePath => SnapshotBasePathOf(Path.GetFullPath(_options.DataDirectory));

    /// <summary>True when nothing was ever applied here: no checkpoint, no snapshot base, an empty log.</summary>
    public bool IsEmpty => Log.NextSequence == 1 && Log.Base is null && LastCheckpointSequence == 0 && Applier.AppliedSequence == 0;

    /// <summary>
    /// Replica bootstrap: loads the snapshot base at <see cref="SnapshotBasePath"/> (whole and durable, see
    /// <see cref="SnapshotBaseWriter"/>) into this empty engine, so that it reflects the base's sequence N and its log
    /// continues at N + 1, then takes a checkpoint at N. Returns N once that checkpoint is durable: a restart resumes
    /// from it (or, should it be lost, from the base again), never from a new snapshot. Checks and history readers see
    /// the state only after the applier resumes, whole.
    /// </summary>
    /// <exception cref="InvalidOperationException">The engine is not empty.</exception>
    /// <exception cref="InvalidDataException">The base does not read back whole; the state may be partly loaded then,
    /// and the process must restart (it loads the base again at open).</exception>
    public async Task<ulong> LoadSnapshotBaseAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await _checkpointLock.WaitAsync(ct);
        try
        {
            if (!IsEmpty)
            {
                throw new InvalidOperationException("A snapshot base loads only into an empty engine.");
            }

            var snapshotBase = SnapshotBase.Open(SnapshotBasePath);
            var sequence = snapshotBase.Sequence;
            SavedState saved;
            try
            {
                using var pause = await Applier.PauseAsync(ct);
                await Task.Run(() => SnapshotBaseLoader.Load(snapshotBase, Index, Scopes, Config, Heads), CancellationToken.None);
                Log.AttachBase(snapshotBase);
                Applier.AdoptBase(sequence);
                EngineLog.SnapshotBaseLoaded(_logger, sequence, snapshotBase.RecordCount, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, Log.NextSequence);

                // Still paused: the checkpoint is exactly the base's state.
                saved = await SaveStateAsync(sequence);
            }
            catch
            {
                if (Log.Base != snapshotBase)
                {
                    snapshotBase.Dispose();
                }

                throw;
            }

            return await Task.Run(() => CommitCheckpoint(saved, sequence, started), CancellationToken.None);
        }
        finally
        {
            _checkpointLock.Release();
        }
    }

    private static string SnapshotBasePathOf(string data) => Path.Combine(data, DataLayout.Snapshot, SnapshotBase.FileName);
}
