using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OptOutGate.Engine.Configuration;

namespace OptOutGate.Engine.Storage.Index;

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
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        var index = new EntryIndex(options, logger, recoverDevice: true);
        try
        {
            index._store.Recover(checkpointToken, numPagesToPreload: -1, undoNextVersion: true);

            // Recovery may have re-created the hash table (a checkpoint of another size).
            index.FindPrefetcher();
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
            index.StartScopeKindsScan();
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
    public void PurgeCheckpointsExcept(Guid keep) => PurgeCheckpointsExcept([keep]);

    /// <summary>Deletes every checkpoint but those in <paramref name="keep"/> (FASTER's files and the saved filters).</summary>
    public void PurgeCheckpointsExcept(IReadOnlyCollection<Guid> keep)
    {
        ThrowIfDisposed();
        var tokens = new HashSet<Guid>(_checkpoints.GetLogCheckpointTokens());
        tokens.UnionWith(_checkpoints.GetIndexCheckpointTokens());
        tokens.ExceptWith(keep);
        foreach (var token in tokens)
        {
            _checkpoints.Purge(token);
            File.Delete(FilterPath(token));
            EntryIndexLog.CheckpointPurged(_logger, token);
        }
    }

    /// <summary>
    /// Bytes of one record in FASTER's hybrid log: the 8-byte record header (RecordInfo), the 16-byte key, the 8-byte
    /// value. A power of two, so records tile every page from the log's first address (64) on: each multiple of it is a
    /// record header. Checked when an index is built.
    /// </summary>
    internal const int RecordBytes = 32;

    /// <summary>
    /// The record header bits FASTER 2.6 clears whenever it reads a page from disk (RecordInfo.ClearBitsForDiskImages:
    /// the lock bits 48-54, Sealed 57, Dirty 59): bookkeeping of the in-memory copy, whose value on disk nothing reads.
    /// </summary>
    internal const ulong RecordInfoBitsIgnoredOnDisk = (0x7FUL << 48) | (1UL << 57) | (1UL << 59);

    /// <summary>The first address of FASTER's hybrid log (where its records start; never moves: nothing compacts it).</summary>
    public long LogBeginAddress => _store.Log.BeginAddress;

    /// <summary>
    /// The end of FASTER's hybrid log. Read right after <see cref="TakeCheckpoint"/> with the applier paused, it is the
    /// checkpoint's final address: a fold-over checkpoint has flushed every record before it to <c>log/</c>, and they
    /// never change there (later changes are new records after it), so a checksum of that range stays true.
    /// </summary>
    public long LogTailAddress => _store.Log.TailAddress;

    /// <summary>The segment file of FASTER's hybrid log holding <paramref name="address"/>, and the byte offset in it.</summary>
    public (string File, long Offset) LocateLog(long address) => LocateLog(_options, address);

    /// <inheritdoc cref="LocateLog(long)"/>
    public static (string File, long Offset) LocateLog(EntryIndexOptions options, long address)
    {
        ArgumentNullException.ThrowIfNull(options);
        var segment = address >> options.SegmentSizeBits;
        return (Path.Combine(options.Directory, LogFolder, "entries.log." + segment.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            address & ((1L << options.SegmentSizeBits) - 1));
    }

    /// <summary>The files FASTER wrote for the checkpoint <paramref name="token"/> (hash index and log metadata); they never change after.</summary>
    public static IEnumerable<string> CheckpointFiles(EntryIndexOptions options, Guid token)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var kind in (string[])["index-checkpoints", "cpr-checkpoints"])
        {
            var folder = Path.Combine(options.Directory, CheckpointFolder, kind, token.ToString());
            if (Directory.Exists(folder))
            {
                foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
                {
                    yield return file;
                }
            }
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
