using System.Diagnostics;
using System.Runtime.CompilerServices;
using FASTER.core;
using Microsoft.Extensions.Logging;
using OptOutGate.Engine.Configuration;
using EntrySession = FASTER.core.ClientSession<OptOutGate.Engine.Storage.Index.EntryKey, OptOutGate.Engine.Storage.Index.EntryValue, OptOutGate.Engine.Storage.Index.EntryValue, OptOutGate.Engine.Storage.Index.EntryValue, FASTER.core.Empty, OptOutGate.Engine.Storage.Index.EntryFunctions>;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// The entry index: every live opt-out, suppression and bypass entry, in a <see cref="FasterKV{Key, Value}"/> on a
/// real log device (<c>log/</c>), with checkpoints in <c>checkpoints/</c> and a <see cref="RecipientFilter"/> in front.
/// <para>
/// Nothing is ever lost to memory pressure: records past the in-memory log are on the device, and a read that goes
/// pending is completed before it answers. A "not found" for an existing entry would mean "allowed" (a compliance
/// failure), so the store never uses a NullDevice.
/// </para>
/// <para>
/// Concurrency: one writer (the applier thread calls <see cref="Upsert"/> and <see cref="Delete"/>), any number of
/// readers (<see cref="TryGet"/>, <see cref="RentReader"/>). FASTER runs with <see cref="ConcurrencyControlMode.None"/>:
/// with a single writer there are no write-write races to lock against, values are 8 bytes written and read with
/// single aligned accesses (<see cref="EntryFunctions"/>), new records are published by a CAS on the hash bucket
/// after they are complete, and reads never copy records to the tail (ReadCopyOptions.None), so readers never write.
/// Bucket latching (the LockTable default) measured 360 → 520 ns per hit here for no benefit (performance notes §2.3).
/// </para>
/// </summary>
internal sealed partial class EntryIndex : IDisposable
{
    private const string LogFolder = "log";
    private const string CheckpointFolder = "checkpoints";
    private const string FilterFolder = "recipient-filter";

    private readonly EntryIndexOptions _options;
    private readonly ILogger _logger;
    private readonly IDevice _logDevice;
    private readonly DeviceLogCommitCheckpointManager _checkpoints;
    private readonly FasterKV<EntryKey, EntryValue> _store;
    private readonly EntrySession _writer;
    private readonly IndexReaderPool _readers;
    private RecipientFilter _filter;
    private EntryPrefetcher? _prefetcher;
    private ScopeKinds _scopeKinds = new(complete: true);
    private Task _scopeKindsScan = Task.CompletedTask;
    private long _count;
    private int _disposed;

    private EntryIndex(EntryIndexOptions options, ILogger logger, bool recoverDevice)
    {
        _options = options;
        _logger = logger;
        var checkpointDirectory = Path.Combine(options.Directory, CheckpointFolder);
        Directory.CreateDirectory(Path.Combine(options.Directory, LogFolder));
        Directory.CreateDirectory(Path.Combine(checkpointDirectory, FilterFolder));

        _logDevice = Devices.CreateLogDevice(
            Path.Combine(options.Directory, LogFolder, "entries.log"), preallocateFile: false, deleteOnClose: false,
            recoverDevice: recoverDevice);

        // FASTER never removes checkpoints by itself: the checkpoint coordinator names the one to recover in its own
        // file after TakeCheckpoint returns, and only then calls PurgeCheckpointsExcept (a crash in between must
        // still find the checkpoint that file names).
        _checkpoints = new DeviceLogCommitCheckpointManager(
            new LocalStorageNamedDeviceFactory(), new DefaultCheckpointNamingScheme(checkpointDirectory), removeOutdated: false);

        var logSettings = new LogSettings
        {
            LogDevice = _logDevice,
            PageSizeBits = options.PageSizeBits,
            MemorySizeBits = options.MemorySizeBits,
            SegmentSizeBits = options.SegmentSizeBits,
            MutableFraction = 0.9,
            ReadCopyOptions = ReadCopyOptions.None,
        };
        var checkpointSettings = new CheckpointSettings { CheckpointManager = _checkpoints, RemoveOutdated = false };
        _store = new FasterKV<EntryKey, EntryValue>(
            options.IndexBuckets(), logSettings, checkpointSettings, comparer: EntryKeyComparer.Instance,
            concurrencyControlMode: ConcurrencyControlMode.None, logger: logger);
        if (RecordInfo.GetLength() + Unsafe.SizeOf<EntryKey>() + Unsafe.SizeOf<EntryValue>() != RecordBytes)
        {
            // The checkpoint checksums read the log as records of this size (CheckpointChecksums).
            throw new InvalidOperationException($"An entry index record is not {RecordBytes} bytes.");
        }

        _writer = NewSession();
        _readers = new IndexReaderPool(this, options.MaxReaders);
        FindPrefetcher();
        _filter = new RecipientFilter(1);
    }

    /// <summary>Live entries (keys with a value; deleted ones excluded).</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Distinct recipient fingerprints in the pre-check filter (recipients that ever had an entry).</summary>
    public long RecipientCount => Volatile.Read(ref _filter).Count;

    /// <summary>Bytes of FASTER's log held in memory (tail − head), for metrics.</summary>
    public long LogBytesInMemory => _store.Log.TailAddress - _store.Log.HeadAddress;

    /// <summary>Bytes of FASTER's log in total, memory and device (tail − begin): live records, superseded versions and
    /// tombstones.</summary>
    public long LogBytesTotal => _store.Log.TailAddress - _store.Log.BeginAddress;

    /// <summary>Bytes of FASTER's hash index: main buckets and overflow buckets, 64 bytes each.</summary>
    public long IndexBytes => (_store.IndexSize + _store.OverflowBucketCount) * 64;

    /// <summary>Bytes of the recipient filter: its table and the table's summary.</summary>
    public long FilterBytes => Volatile.Read(ref _filter).SizeInBytes;

    /// <summary>An empty index in <see cref="EntryIndexOptions.Directory"/>. Whatever an earlier index left in
    /// <c>log/</c> and <c>checkpoints/</c> is deleted: the change log is the source of truth, and Create is for a
    /// start with no usable checkpoint.</summary>
    public static EntryIndex Create(EntryIndexOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        options.Validate();
        DeleteFolder(Path.Combine(options.Directory, LogFolder));
        DeleteFolder(Path.Combine(options.Directory, CheckpointFolder));

        var index = new EntryIndex(options, logger, recoverDevice: false);
        index._filter = new RecipientFilter(options.ExpectedEntries);
        EntryIndexLog.Created(logger, options.Directory, options.IndexBuckets(), 1L << options.MemorySizeBits);
        return index;
    }

    /// <summary>
    /// Inserts or replaces an entry. Applier thread only (one writer at a time). When it returns, every later read on
    /// any thread sees the new value.
    /// </summary>
    public void Upsert(in EntryKey key, EntryValue value)
    {
        ThrowIfDisposed();

        // The filter and the scope's kinds first: a reader that finds the entry in FASTER must not have been told "no"
        // by the filter, nor have skipped its key.
        _scopeKinds.Mark(key);
        _filter.Add(key.Recipient);
        var k = key;
        var input = value;
        EntryValue output = default;
        var status = Finish(_writer.RMW(ref k, ref input, ref output, Empty.Default, 0));

        if (status.IsFaulted)
        {
            IndexThrow.Faulted("RMW", status.ToString());
        }

        // InitialUpdater ran (the key had no live record): one more live entry.
        if (status.Record.Created)
        {
            Volatile.Write(ref _count, _count + 1);
        }
    }

    /// <summary>Removes an entry; returns false if there was none. Applier thread only.</summary>
    public bool Delete(in EntryKey key)
    {
        ThrowIfDisposed();
        var k = key;
        EntryValue input = default;
        EntryValue output = default;

        // FASTER's delete writes a tombstone without telling whether a live record existed below the mutable region,
        // and the live count must stay exact, so read first (the single writer makes read-then-delete atomic).
        var status = Finish(_writer.Read(ref k, ref input, ref output, Empty.Default, 0));

        if (!status.Found)
        {
            return false;
        }

        status = Finish(_writer.Delete(ref k, Empty.Default, 0));

        if (status.IsFaulted)
        {
            IndexThrow.Faulted("Delete", status.ToString());
        }

        Volatile.Write(ref _count, _count - 1);
        return true;
    }

    /// <summary>Reads one entry from any thread. For many keys, rent a reader instead (one epoch entry per batch).</summary>
    public bool TryGet(in EntryKey key, out EntryValue value)
    {
        var reader = RentReader();
        try
        {
            return reader.TryGet(key, out value);
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>
    /// The kinds of entry the scope may hold (<see cref="ScopeKinds.Bit"/> of each; all of them until a recovered
    /// index's scan is done): a kind it lacks has no key to read. Any thread; read it after the applied sequence.
    /// </summary>
    public byte KindsIn(uint tenantId, uint scopeId) => _scopeKinds.Of(tenantId, scopeId);

    /// <summary>Whether <see cref="KindsIn"/> answers from a complete set (for tests).</summary>
    internal bool ScopeKindsKnown => _scopeKinds.IsComplete;

    /// <summary>The scan of a recovered index's log for its scopes' kinds (done at once for a new index; for tests and Dispose).</summary>
    internal Task ScopeKindsScan => _scopeKindsScan;

    /// <summary>False: no entry of any kind, scope or tenant exists for the recipient. Any thread.</summary>
    public bool MayContainRecipient(ulong recipient) => Volatile.Read(ref _filter).MayContain(recipient);

    /// <summary><see cref="MayContainRecipient"/> for a batch, with prefetching. Any thread.</summary>
    public void MayContainRecipients(ReadOnlySpan<ulong> recipients, Span<bool> results) =>
        Volatile.Read(ref _filter).MayContainMany(recipients, results);

    /// <summary>
    /// A pooled reader, already inside FASTER's epoch: use it on this thread only, with no await, then dispose it (on
    /// this thread) to return it. Keep the region short (one batch): while it is open FASTER cannot finish a
    /// checkpoint or free memory. Waits if <see cref="EntryIndexOptions.MaxReaders"/> readers are out.
    /// </summary>
    public IndexReader RentReader()
    {
        ThrowIfDisposed();
        var reader = _readers.Rent();
        reader.Begin();
        return reader;
    }

    internal RecipientFilter Filter => Volatile.Read(ref _filter);

    /// <summary>
    /// Hints the CPU to fetch the hash buckets, then the records, of the keys with these hashes
    /// (<see cref="EntryKey.Hash64"/>) ahead of reading them, so that a batch's memory misses overlap instead of each read
    /// waiting on its own (<see cref="EntryPrefetcher"/>). Any thread; only hints: nothing is read that answers anything.
    /// </summary>
    public void PrefetchEntries(ReadOnlySpan<long> hashes)
    {
        if (Volatile.Read(ref _prefetcher) is not { } prefetcher)
        {
            return;
        }

        foreach (var hash in hashes)
        {
            prefetcher.PrefetchBucket(hash);
        }

        foreach (var hash in hashes)
        {
            prefetcher.PrefetchRecord(hash);
        }
    }

    /// <summary>The prefetch hints in use, or null (for tests).</summary>
    internal EntryPrefetcher? Prefetcher => Volatile.Read(ref _prefetcher);

    /// <summary>Finds where FASTER keeps the hash table and log pages: at construction, and again after recovery.</summary>
    private void FindPrefetcher()
    {
        var prefetcher = EntryPrefetcher.Create(_store);
        if (prefetcher is null)
        {
            EntryIndexLog.NoPrefetchHints(_logger);
        }

        Volatile.Write(ref _prefetcher, prefetcher);
    }

    internal EntrySession NewSession() =>
        _store.For<EntryValue, EntryValue, Empty>(default(EntryFunctions)).NewSession<EntryFunctions>(default(EntryFunctions));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The scope-kind scan reads the log: it stops at its next record once it sees _disposed set.
        try
        {
            _scopeKindsScan.Wait();
        }
        catch (AggregateException)
        {
            // Logged by the scan itself.
        }

        _readers.Dispose();
        _writer.Dispose();
        _store.Dispose();
        _checkpoints.Dispose();
        _logDevice.Dispose();
    }

    /// <summary>The final status of a writer operation: its own, or the completed one when it went pending (a read from disk).</summary>
    private Status Finish(Status status) => status.IsPending ? CompleteWriterPending() : status;

    private Status CompleteWriterPending()
    {
        _writer.CompletePendingWithOutputs(out var completed, wait: true);
        var status = default(Status);
        using (completed)
        {
            while (completed.Next())
            {
                status = completed.Current.Status;
            }
        }

        return status;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            IndexThrow.Disposed();
        }
    }

    private static void DeleteFolder(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private static long ElapsedMs(long startTimestamp) => (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}
