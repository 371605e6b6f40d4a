using System.Threading.Channels;
using FASTER.core;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace OptOutGate.Core.Durability;

/// <summary>
/// The durable change log of a tenant group: <see cref="LogEntry"/> records with consecutive sequence numbers from 1,
/// in a FasterLog under <see cref="ChangeLogOptions.Directory"/>, each framed with a CRC-32C (<see cref="LogEntryFrame"/>).
/// </summary>
/// <remarks>
/// <para>
/// Durability: <see cref="AppendAsync"/> completes only after a FasterLog commit that covers its records has completed,
/// that is after the records and the commit metadata were written with write-through (O_DSYNC) I/O. One committer loop
/// serves every appender (group commit): while one commit is in flight, new appends queue up and the next commit
/// covers them all. A commit always ends at a boundary between two appends, so an append's records survive a crash
/// together or not at all. Records of an append that did not complete (crash, cancelled wait, fault) may or may not
/// survive a crash; an acknowledged record always does.
/// </para>
/// <para>
/// Failure: if enqueueing or a commit fails (an I/O error), the log becomes faulted: pending and later appends and
/// waits throw <see cref="ChangeLogFaultedException"/>, no sequence is ever assigned again, and the process must
/// restart; the opening scan then keeps exactly the records on disk, so sequences stay gap-free.
/// </para>
/// <para>
/// Opening: the opening scan checks every record from the first to FasterLog's committed tail and rebuilds the
/// sequence → address map; if it stops early (a file cut short, garbage over the last bytes), the log is cut after the
/// last whole record by rewriting the whole records into a fresh log (see <see cref="ChangeLogStore"/>).
/// </para>
/// </remarks>
internal sealed partial class ChangeLog : IAsyncDisposable
{
    private readonly FasterLog _log;
    private readonly IDevice _device;
    private readonly string _folder;
    private readonly SemaphoreSlim _saveLock = new(1, 1);
    private readonly ChangeLogOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    // Replaced only once, by the first replicated append into an empty log (ChangeLog.Replicated.cs).
    private SequenceAddressMap _map;
    private readonly ChangeLogMetrics _metrics;
    private readonly Lock _appendLock = new();
    private readonly Channel<bool> _commitRequests = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Task _committer;

    // Guarded by _appendLock.
    private ulong _lastEnqueued;
    private long _lastReceiveTicks;
    private bool _disposed;

    private ulong _lastSequence;
    private TaskCompletionSource _committed = NewSignal();
    private TaskCompletionSource? _commitHold;
    private Exception? _fault;
    private readonly TaskCompletionSource<Exception> _faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _openSave = Task.CompletedTask;
    private long _savedCount;

    /// <summary>A scan of this many records at open is worth saving the map right away (about 0.5 s per million).</summary>
    private const long SaveMapAfterScanning = 1 << 18;

    private ChangeLog(FasterLog log, IDevice device, string folder, ChangeLogOptions options, ILogger logger, TimeProvider time, ScanResult scan, Timestamp? lastReceiveTime)
    {
        _log = log;
        _device = device;
        _folder = folder;
        _options = options;
        _logger = logger;
        _time = time;
        _map = scan.Map;
        _lastEnqueued = scan.LastSequence;
        _lastSequence = scan.LastSequence;
        _lastReceiveTicks = lastReceiveTime?.ToDateTimeOffset().UtcTicks ?? 0;
        _metrics = new ChangeLogMetrics(this);
        _committer = Task.Run(CommitLoopAsync);
    }

    internal ChangeLogMetrics Metrics => _metrics;

    /// <summary>Completes with the write or commit failure that faulted the log; never completes while it works.</summary>
    public Task<Exception> Faulted => _faulted.Task;

    /// <summary>The highest committed (on disk) sequence; 0 when the log is empty.</summary>
    public ulong LastSequence => Volatile.Read(ref _lastSequence);

    /// <summary>
    /// The first sequence in the log: 1 (the log is never truncated from the head), or N + 1 on a replica bootstrapped
    /// from a snapshot at N (<see cref="Base"/>). Older history is not held then.
    /// </summary>
    public ulong FirstSequence => Volatile.Read(ref _map).FirstSequence;

    /// <summary>Bytes of the log from its first record to its tail (including records not yet committed).</summary>
    public long SizeBytes => _log.TailAddress - _log.BeginAddress;

    /// <summary>
    /// Opens the log in <see cref="ChangeLogOptions.Directory"/>, creating it if there is none, and recovers the
    /// committed records. A torn tail is cut at the last whole, checksum-valid record before this returns; the cut is
    /// on disk (the remaining records were rewritten and committed) by then.
    /// </summary>
    /// <exception cref="InvalidDataException">The log cannot be read, or is still torn after a rewrite.</exception>
    public static async Task<ChangeLog> OpenAsync(ChangeLogOptions options, ILogger logger, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        var root = Path.GetFullPath(options.Directory);
        Directory.CreateDirectory(root);
        ChangeLogStore.RecoverInterruptedRebuild(root, logger);
        var folder = Path.Combine(root, ChangeLogStore.ActiveFolder);

        var (log, device) = await ChangeLogStore.OpenFasterLogAsync(folder, options, ct);
        try
        {
            var saved = await SequenceMapFile.TryLoadAsync(folder, ct);
            var savedCount = saved?.Count ?? 0;
            var scan = await Task.Run(() => ChangeLogStore.Scan(log, saved, ct) ?? ChangeLogStore.Scan(log, null, ct)!, ct);
            if (scan.TornReason is not null)
            {
                ChangeLogLog.TornTail(logger, scan.LastSequence, scan.ValidEnd, scan.CommittedTail, scan.TornReason, scan.CommittedTail - scan.ValidEnd);
                var (torn, tornDevice) = (log, device);
                (log, device) = (null!, null!);
                var tornFolder = await ChangeLogStore.RebuildAsync(root, torn, tornDevice, scan.ValidEnd, options, ct);
                ChangeLogLog.Rebuilt(logger, scan.LastSequence, tornFolder);

                (log, device) = await ChangeLogStore.OpenFasterLogAsync(folder, options, ct);
                scan = await Task.Run(() => ChangeLogStore.Scan(log, null, ct)!, ct);
                if (scan.TornReason is not null)
                {
                    throw new InvalidDataException($"The rewritten change log in {folder} is still torn: {scan.TornReason}.");
                }
            }

            var lastReceiveTime = await ChangeLogStore.ReadReceiveTimeAsync(log, scan.LastAddress, scan.LastSequence, ct);
            var changeLog = new ChangeLog(log, device, folder, options, logger, time, scan, lastReceiveTime);
            changeLog._savedCount = scan.Map == saved ? savedCount : 0;
            ChangeLogLog.Opened(logger, root, changeLog.FirstSequence, scan.LastSequence, changeLog.SizeBytes, scan.ScannedRecords, (long)scan.Elapsed.TotalMilliseconds);
            if (scan.ScannedRecords >= SaveMapAfterScanning)
            {
                // The next open after a crash (no save at dispose) would scan these records again.
                changeLog._openSave = changeLog.SaveSequenceMapAsync(CancellationToken.None);
            }

            return changeLog;
        }
        catch
        {
            log?.Dispose();
            device?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Commits what was appended, stops the committer and closes the files. Appends that were enqueued complete
    /// (committed) first; waits still pending then fail with <see cref="ObjectDisposedException"/>. Call it after
    /// readers have finished.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (_appendLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _commitRequests.Writer.TryComplete();
        await _committer;
        if (Volatile.Read(ref _fault) is null)
        {
            // An append that enqueued just before _disposed was set may have found the channel completed.
            try
            {
                await CommitPendingAsync();
            }
#pragma warning disable CA1031 // The failure is recorded as the fault; dispose goes on closing the files.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Fault(ex);
            }
        }

        Interlocked.Exchange(ref _committed, NewSignal()).TrySetException(new ObjectDisposedException(nameof(ChangeLog)));
        try
        {
            await _openSave;
            if (Volatile.Read(ref _fault) is null)
            {
                await SaveSequenceMapAsync(CancellationToken.None);
            }
        }
        catch (IOException ex)
        {
            // Only costs the next open a longer scan.
            ChangeLogLog.MapSaveFailed(_logger, ex);
        }

        _saveLock.Dispose();
        _metrics.Dispose();
        Volatile.Read(ref _base)?.Dispose();
        _log.Dispose();
        _device.Dispose();
    }

    /// <summary>
    /// Saves the sequence → address map of the committed records (<see cref="SequenceMapFile"/>), so that the next
    /// open checks only the records after them. Done at dispose and after a long opening scan; a checkpoint may call
    /// it too. The file is on disk (fsynced and renamed into place) when this completes.
    /// </summary>
    public async Task SaveSequenceMapAsync(CancellationToken ct)
    {
        await _saveLock.WaitAsync(ct);
        try
        {
            var committed = LastSequence;
            var count = committed >= _map.FirstSequence ? (long)(committed - _map.FirstSequence + 1) : 0;
            if (count > _savedCount)
            {
                await SequenceMapFile.SaveAsync(_folder, _map, count, _savedCount, ct);
                _savedCount = count;
            }
        }
        finally
        {
            _saveLock.Release();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
