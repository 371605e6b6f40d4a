using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OptOutGate.Engine.Configuration;
using OptOutGate.Engine.Snapshots;
using OptOutGate.Engine.Storage;
using OptOutGate.Engine.Storage.Checkpoints;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Engine;

internal sealed partial class GateEngine
{
    private const int ReplayChunk = 1024;

    // Replay reads ahead of the applier by at most this many records, so a long log does not pile up in memory.
    private const ulong ReplayReadAhead = 64 * ReplayChunk;

    /// <summary>
    /// Opens the engine in <see cref="GateEngineOptions.DataDirectory"/>: opens (and if needed repairs) the change log,
    /// loads the newest complete checkpoint (falling back to older ones, then to an empty state), replays every
    /// committed record after it, and starts the write pipeline and the checkpoint timer. When this returns, every
    /// record in the log is applied and visible, and writes are accepted.
    /// </summary>
    public static async Task<GateEngine> OpenAsync(GateEngineOptions options, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        var logger = loggerFactory.CreateLogger<GateEngine>();
        var data = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(data);
        EmptyScratch(Path.Combine(data, DataLayout.Scratch));

        var logOptions = options.Log;
        logOptions.Directory = Path.Combine(data, DataLayout.Log);
        logOptions.CutAtSequence = options.CutLogAtSequence;
        var log = await ChangeLog.OpenAsync(logOptions, loggerFactory.CreateLogger<ChangeLog>(), time, ct);
        EntryIndex? index = null;
        GateStateApplier? applier = null;
        try
        {
            AttachSnapshotBase(log, SnapshotBasePathOf(data), logger);
            var checkpoints = new CheckpointStore(Path.Combine(data, DataLayout.Checkpoints));
            if (log.Cut is { } cut)
            {
                DiscardWhatTheCutInvalidated(log, cut, checkpoints, data, logger);
            }

            var indexOptions = options.IndexOptions(Path.Combine(data, DataLayout.Index));
            var indexLogger = loggerFactory.CreateLogger<EntryIndex>();
            var (loaded, scopes, config, heads, checkpointSequence, indexLogChecksum) = LoadCheckpoint(checkpoints, data, indexOptions, indexLogger, log, logger);
            index = loaded;

            applier = new GateStateApplier(index, scopes, config, heads, checkpointSequence, loggerFactory.CreateLogger<GateStateApplier>());
            applier.Start();
            var replayed = await ReplayAsync(log, applier, checkpointSequence, ct);

            var writeOptions = options.Writes;
            var writes = new WritePipeline(
                log, applier, index, scopes, config, heads,
                new WritePipelineOptions
                {
                    MaxBatchRecords = writeOptions.MaxBatchRecords,
                    MaxInFlightBatches = writeOptions.MaxInFlightBatches,
                    QueueCapacity = writeOptions.QueueCapacity,
                    MaxRecordBytes = Math.Min(writeOptions.MaxRecordBytes, logOptions.MaxEntryBytes - 128),
                },
                time,
                loggerFactory.CreateLogger<WritePipeline>());
            writes.Start();

            var engine = new GateEngine(options, logger, time, log, index, scopes, config, heads, applier, writes, checkpoints, checkpointSequence)
            {
                _indexOptions = indexOptions,
                _indexLogChecksum = indexLogChecksum,
            };
            var elapsed = Stopwatch.GetElapsedTime(started);
            engine._metrics.Recovered(elapsed);
            EngineLog.Opened(logger, checkpointSequence, replayed, applier.AppliedSequence, (long)elapsed.TotalMilliseconds, index.Count);
            engine.StartCheckpointTimer();
            engine.StartVerification(checkpointSequence);
            return engine;
        }
        catch
        {
            applier?.Dispose();
            index?.Dispose();
            await log.DisposeAsync();
            throw;
        }
    }

    /// <summary>A crash leaves the temporary files of the calls it cut short: nothing in them is state.</summary>
    private static void EmptyScratch(string scratch)
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        Directory.CreateDirectory(scratch);
    }

    /// <summary>
    /// The newest checkpoint that loads whole and is neither ahead of the log nor older than its snapshot base; else the
    /// snapshot base (a replica bootstrapped from a snapshot: the state at its sequence), else an empty state at
    /// sequence 0 (the whole log is then replayed, which is always correct: the log is the source of truth).
    /// </summary>
    private static (EntryIndex Index, ScopeTable Scopes, GateConfig Config, HistoryHeads Heads, ulong Sequence, IndexLogChecksum? IndexLog) LoadCheckpoint(
        CheckpointStore checkpoints, string data, EntryIndexOptions indexOptions, ILogger indexLogger, ChangeLog log, ILogger logger)
    {
        var logSequence = log.LastSequence;
        var baseSequence = log.Base?.Sequence ?? 0;
        foreach (var manifest in checkpoints.ListComplete())
        {
            if (manifest.Sequence > logSequence)
            {
                // Every checkpoint is taken after the log committed its sequence (CheckpointCoreAsync), so the log lost
                // committed records: they may be acknowledged opt-outs, and numbering on from here would give
                // sequence numbers twice.
                throw CheckpointAheadOfLog(manifest, log);
            }

            if (manifest.Sequence < baseSequence)
            {
                // The log does not hold the records between it and the base.
                EngineLog.CheckpointBeforeBase(logger, manifest.Sequence, baseSequence);
                continue;
            }

            EntryIndex? index = null;
            try
            {
                (index, var scopes, var config, var heads) = CheckpointLoader.Load(manifest, data, indexOptions, indexLogger, logger);
                return (index, scopes, config, heads, manifest.Sequence, manifest.IndexLog);
            }
            catch (DataDamagedException e)
            {
                EngineLog.CheckpointDamaged(logger, e.Message);
            }
#pragma warning disable CA1031 // Any failure to load a checkpoint means: use an older one, or the whole log.
            catch (Exception e)
#pragma warning restore CA1031
            {
                index?.Dispose();
                EngineLog.CheckpointUnusable(logger, manifest.Sequence, manifest.Directory, e);
            }
        }

        if (log.Base is SnapshotBase snapshotBase)
        {
            EngineLog.LoadingSnapshotBase(logger, snapshotBase.Sequence, snapshotBase.RecordCount);
            var index = EntryIndex.Create(indexOptions, indexLogger);
            try
            {
                var (scopes, config, heads) = (new ScopeTable(), new GateConfig(), new HistoryHeads());
                SnapshotBaseLoader.Load(snapshotBase, index, scopes, config, heads);
                return (index, scopes, config, heads, snapshotBase.Sequence, null);
            }
            catch
            {
                index.Dispose();
                throw;
            }
        }

        EngineLog.NoCheckpoint(logger);
        return (EntryIndex.Create(indexOptions, indexLogger), new ScopeTable(), new GateConfig(), new HistoryHeads(), 0, null);
    }

    /// <summary>
    /// Attaches the snapshot base of a replica bootstrapped from a snapshot (<c>snapshot/base.bin</c>), if there is one.
    /// An unreadable base in front of an empty log is deleted (the replica then bootstraps again); in front of records
    /// it is needed, so opening fails.
    /// </summary>
    private static void AttachSnapshotBase(ChangeLog log, string path, ILogger logger)
    {
        SnapshotBase? snapshotBase;
        try
        {
            snapshotBase = SnapshotBase.TryOpen(path);
        }
        catch (InvalidDataException e) when (log.LastSequence == 0)
        {
            EngineLog.SnapshotBaseDiscarded(logger, path, e);
            File.Delete(path);
            return;
        }

        if (snapshotBase is null)
        {
            return;
        }

        try
        {
            log.AttachBase(snapshotBase);
        }
        catch
        {
            snapshotBase.Dispose();
            throw;
        }
    }

    /// <summary>Applies every committed record after <paramref name="fromSequence"/>; returns how many.</summary>
    private static async Task<ulong> ReplayAsync(ChangeLog log, GateStateApplier applier, ulong fromSequence, CancellationToken ct)
    {
        var last = log.LastSequence;
        if (last <= fromSequence)
        {
            return 0;
        }

        var chunk = new List<LogEntry>(ReplayChunk);
        await foreach (var entry in log.ReadAsync(fromSequence + 1, last, ct))
        {
            chunk.Add(entry);
            if (chunk.Count == ReplayChunk)
            {
                applier.Enqueue(chunk);
                chunk = new List<LogEntry>(ReplayChunk);
                var sequence = entry.Record.Sequence;
                if (sequence > fromSequence + ReplayReadAhead)
                {
                    await applier.WaitForAppliedAsync(sequence - ReplayReadAhead, ct);
                }
            }
        }

        applier.Enqueue(chunk);
        await applier.WaitForAppliedAsync(last, ct);
        return last - fromSequence;
    }
}
