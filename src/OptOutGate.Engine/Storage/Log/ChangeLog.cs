using System.Threading.Channels;
using FASTER.core;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using OptOutGate.Engine.Configuration;

namespace OptOutGate.Engine.Storage.Log;

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
/// Opening: the opening scan checks every record after the saved sequence map to FasterLog's committed tail and
/// rebuilds the sequence → address map. A record that fails there is damage, never a torn tail (FasterLog commits only
/// what is on disk): the open refuses (<see cref="DataDamagedException"/>), and only an operator's explicit
/// <see cref="ChangeLogOptions.CutAtSequence"/> cuts the log (<see cref="ChangeLogCut"/>). Reads that meet damage
/// later throw the same exception and report it (<see cref="DamageFound"/>).
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
    /// committed records, checking every record after the saved sequence map. Damage inside the committed range, or
    /// commit metadata missing or behind the records, refuses the open (<see cref="DataDamagedException"/>) unless the
    /// operator asked to cut the log at exactly that damage (<see cref="ChangeLogOptions.CutAtSequence"/>); the cut is
    /// on disk before this returns.
    /// </summary>
    /// <exception cref="DataDamagedException">The log is damaged; the message names the file, the place and what to do.</exception>
    public static async Task<ChangeLog> OpenAsync(ChangeLogOptions options, ILogger logger, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        options.Validate();
        var root = Path.GetFullPath(options.Directory);
        Directory.CreateDirectory(root);
        ChangeLogCut.RecoverInterruptedRebuild(root, logger);
        var folder = Path.Combine(root, ChangeLogStore.ActiveFolder);
        ChangeLogStore.ThrowIfRecordsWithoutCommitMetadata(folder, options);

        var (log, device) = await ChangeLogStore.OpenFasterLogAsync(folder, options, ct);
        try
        {
            var saved = await SequenceMapFile.TryLoadAsync(folder, ct);
            ThrowIfMapBeyondCommitPoint(folder, options, log, saved);
            var savedCount = saved?.Count ?? 0;
            var scan = await Task.Run(() => ChangeLogStore.Scan(log, saved, ct) ?? ChangeLogStore.Scan(log, null, ct)!, ct);
            if (await FindDamageAsync(log, scan, options.CutAtSequence, ct) is { } damage)
            {
                if (options.CutAtSequence != damage.Sequence)
                {
                    throw Refusal(folder, options, scan, damage);
                }

                var receiveTime = await ReceiveTimeBeforeAsync(log, scan, damage.Sequence, time, ct);
                var (damaged, damagedDevice) = (log, device);
                (log, device) = (null!, null!);
                var cut = await ChangeLogCut.CutAsync(root, damaged, damagedDevice, damage.Address, damage.Sequence, receiveTime, options, ct);
                ChangeLogLog.Cut(logger, cut.FirstLost, cut.LastLost, cut.KeptIn);

                (log, device) = await ChangeLogStore.OpenFasterLogAsync(folder, options, ct);
                scan = await Task.Run(() => ChangeLogStore.Scan(log, null, ct)!, ct);
                if (scan.DamageReason is not null)
                {
                    throw new DataDamagedException($"The change log rewritten by the cut in {folder} does not read back whole: {scan.DamageReason}.", folder, scan.LastSequence + 1);
                }

                savedCount = 0;
                saved = null;
            }
            else if (options.CutAtSequence != 0)
            {
                ChangeLogLog.NothingToCut(logger, options.CutAtSequence);
            }

            var lastReceiveTime = await ChangeLogStore.ReadReceiveTimeAsync(log, scan.LastAddress, scan.LastSequence, ct);
            var changeLog = new ChangeLog(log, device, folder, options, logger, time, scan, lastReceiveTime);
            changeLog._savedCount = scan.Map == saved ? savedCount : 0;
            changeLog.Cut = ChangeLogCut.ReadMarker(folder);
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
    /// The cut this log went through at the operator's request and whose consequences (checkpoints that hold the lost
    /// records' effects) the engine has not yet dealt with; null when none. See <see cref="AcknowledgeCut"/>.
    /// </summary>
    public LogCut? Cut { get; private set; }

    /// <summary>Records that the engine has dealt with <see cref="Cut"/> (durable when this returns).</summary>
    public void AcknowledgeCut()
    {
        ChangeLogCut.Acknowledge(_folder);
        Cut = null;
    }

    /// <summary>The first damaged record: where the scan stopped, or, when the operator names a sequence to cut at, that record if it fails.</summary>
    private static async Task<(ulong Sequence, long Address, string Why)?> FindDamageAsync(FasterLog log, ScanResult scan, ulong cutAt, CancellationToken ct)
    {
        if (scan.DamageReason is { } reason)
        {
            return (scan.LastSequence + 1, scan.ValidEnd, reason);
        }

        if (cutAt == 0 || cutAt > scan.LastSequence || !scan.Map.TryGet(cutAt, out var address))
        {
            return null;
        }

        // Below the saved map the opening scan did not read the records: read the one the operator named.
        try
        {
            var (bytes, length) = await log.ReadAsync(address, token: ct);
            return LogEntryFrame.TryCheck(bytes.AsSpan(0, length), out var found) && found == cutAt ? null : (cutAt, address, "bad checksum");
        }
        catch (FasterException e)
        {
            return (cutAt, address, e.Message);
        }
    }

    private static DataDamagedException Refusal(string folder, ChangeLogOptions options, ScanResult scan, (ulong Sequence, long Address, string Why) damage)
    {
        var (file, offset) = ChangeLogStore.Locate(folder, options, damage.Address);
        return new DataDamagedException(
            $"The change log is damaged inside its committed range ({damage.Why}): the records from sequence {damage.Sequence} on cannot be read, "
            + $"from byte {offset} of {file} (log addresses {damage.Address}..{scan.CommittedTail}). A crash cannot do this (records are on disk "
            + "before their commit point moves); a disk, a restore or an operator can, and the records may be acknowledged opt-outs, so the gate "
            + $"does not serve. {DataDamagedException.Remedy}; or, losing the records from {damage.Sequence} on on this node, start it once with "
            + $"Engine:CutLogAtSequence={damage.Sequence} to cut the log there (the log as it was is kept beside it).",
            file,
            damage.Sequence);
    }

    /// <summary>
    /// The saved sequence map is written only for committed records, so it can never name one past the commit point.
    /// If it does, the commit metadata was lost or replaced, or the segment files were cut, and committed records are missing.
    /// </summary>
    private static void ThrowIfMapBeyondCommitPoint(string folder, ChangeLogOptions options, FasterLog log, SequenceAddressMap? saved)
    {
        if (saved is null || saved.Count == 0)
        {
            return;
        }

        var last = saved.FirstSequence + (ulong)saved.Count - 1;
        if (!saved.TryGet(last, out var address) || address < log.TailAddress)
        {
            return;
        }

        var (file, offset) = ChangeLogStore.Locate(folder, options, address);
        throw new DataDamagedException(
            $"The change log's commit metadata ends the log at address {log.TailAddress}, but {Path.Combine(folder, SequenceMapFile.FileName)} "
            + $"(saved only for committed records) names sequence {last} at address {address} (byte {offset} of {file}): committed records are "
            + "missing past the commit point (its commit metadata in log-commits/ was lost or replaced by an older copy, or the segment files were "
            + $"cut), and they may be acknowledged opt-outs, so the gate does not serve. {DataDamagedException.Remedy}.",
            Path.Combine(folder, "log-commits"),
            0);
    }

    /// <summary>The receive time placeholders get: that of the last record kept, so receive times never go back.</summary>
    private static async Task<Timestamp> ReceiveTimeBeforeAsync(FasterLog log, ScanResult scan, ulong sequence, TimeProvider time, CancellationToken ct)
    {
        if (sequence > scan.Map.FirstSequence && scan.Map.TryGet(sequence - 1, out var address)
            && await ChangeLogStore.ReadReceiveTimeAsync(log, address, sequence - 1, ct) is { } previous)
        {
            return previous;
        }

        return Timestamp.FromDateTimeOffset(time.GetUtcNow());
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
