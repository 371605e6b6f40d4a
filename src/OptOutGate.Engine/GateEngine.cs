using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OptOutGate.Engine.Storage.Checkpoints;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Writes;

namespace OptOutGate.Engine;

/// <summary>
/// The gate's engine, as the host uses it: the durable change log (<see cref="Log"/>), the state derived from it
/// (<see cref="Index"/>, <see cref="Scopes"/>, <see cref="Config"/>, <see cref="Heads"/>), the applier that derives it
/// (<see cref="Applier"/>), the single writer (<see cref="Writes"/>) and checkpoints.
/// </summary>
/// <remarks>
/// <para>
/// Durable vs visible: a record is durable once the log has committed it (fsync; <see cref="ChangeLog.LastSequence"/>)
/// and visible once the applier has applied it (<see cref="GateStateApplier.AppliedSequence"/>); readers of the index
/// and configuration see exactly the records up to the applied sequence. A write acknowledged by
/// <see cref="WritePipeline.WriteAsync"/> is both. Checks that must see a given write wait with
/// <see cref="GateStateApplier.WaitForAppliedAsync"/> (CheckBatch <c>min_sequence</c>, inside Decisions/CheckEngine).
/// </para>
/// <para>
/// Restart: <see cref="OpenAsync"/> loads the newest complete checkpoint and replays the log after it, so it returns
/// with every committed record applied; the host reports Loading (UNAVAILABLE) until it returns.
/// </para>
/// </remarks>
internal sealed partial class GateEngine : IAsyncDisposable
{
    private const int CheckpointsKept = 2;
    private static readonly TimeSpan RetryAfterFailedCheckpoint = TimeSpan.FromMinutes(1);

    private readonly GateEngineOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CheckpointStore _checkpoints;
    private readonly GateEngineMetrics _metrics;
    private readonly SemaphoreSlim _checkpointLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task _timerLoop = Task.CompletedTask;
    private ulong _lastCheckpointSequence;
    private int _disposed;

    private GateEngine(
        GateEngineOptions options,
        ILogger logger,
        TimeProvider time,
        ChangeLog log,
        EntryIndex index,
        ScopeTable scopes,
        GateConfig config,
        HistoryHeads heads,
        GateStateApplier applier,
        WritePipeline writes,
        CheckpointStore checkpoints,
        ulong checkpointSequence)
    {
        _options = options;
        _logger = logger;
        _time = time;
        Log = log;
        Index = index;
        Scopes = scopes;
        Config = config;
        Heads = heads;
        Applier = applier;
        Writes = writes;
        _checkpoints = checkpoints;
        _lastCheckpointSequence = checkpointSequence;
        _metrics = new GateEngineMetrics(this);
        log.DamageFound += OnDamageFound;
    }

    /// <summary>The folder for a call's temporary files (<see cref="DataLayout.Scratch"/>), on the data folder's disk; emptied at open.</summary>
    public string ScratchDirectory => Path.Combine(Path.GetFullPath(_options.DataDirectory), DataLayout.Scratch);

    /// <summary>The durable change log: history reads, the change stream, <see cref="ChangeLog.LastSequence"/> (committed).</summary>
    public ChangeLog Log { get; }

    /// <summary>The entries as of <see cref="GateStateApplier.AppliedSequence"/>; read from any thread, written only by the applier.</summary>
    public EntryIndex Index { get; }

    /// <summary>Tenant and scope ids (tenant, sender, app) used in index keys.</summary>
    public ScopeTable Scopes { get; }

    /// <summary>Inbound addresses, blocking rules, tenant policies, confirmation windows.</summary>
    public GateConfig Config { get; }

    /// <summary>Heads of the history chains by recipient and by sender (for history queries).</summary>
    public HistoryHeads Heads { get; }

    /// <summary><see cref="GateStateApplier.AppliedSequence"/> and <see cref="GateStateApplier.WaitForAppliedAsync"/>.</summary>
    public GateStateApplier Applier { get; }

    /// <summary>The single writer: every change goes through <see cref="WritePipeline.WriteAsync"/>.</summary>
    public WritePipeline Writes { get; }

    /// <summary>
    /// Completes with the first failure that stops the engine while it runs (the change log cannot write, the applier
    /// or the write pipeline stopped); the process must then restart, and recovery goes from what is on disk.
    /// </summary>
    public Task<Exception> Failure => Task.WhenAny(Log.Faulted, Applier.Faulted, Writes.Faulted).Unwrap();

    /// <summary>
    /// Null while the engine answers from a state that follows its log; else why it cannot
    /// (<see cref="EngineError.StoppedApplying"/>). The host's one guard for reads and checks: with
    /// <see cref="EngineError.Loading"/> before the engine is open, it is every "engine unavailable" answer.
    /// </summary>
    public EngineError? Unavailable => Applier.Fault is null ? null : EngineError.StoppedApplying;

    /// <summary>The sequence the newest checkpoint reflects (0 = none yet).</summary>
    public ulong LastCheckpointSequence => Volatile.Read(ref _lastCheckpointSequence);

    /// <summary>
    /// Takes a checkpoint now: pauses the applier at a sequence boundary N, saves the index (FASTER checkpoint), the
    /// scope table, the configuration and the history heads as of N, resumes the applier, then writes the manifest that
    /// makes the checkpoint count and deletes all but the newest two. Returns N (or the previous checkpoint's N when
    /// nothing was applied since). Writes wait (unacknowledged, not failed) while the applier is paused.
    /// </summary>
    public async Task<ulong> CheckpointAsync(CancellationToken ct)
    {
        await _checkpointLock.WaitAsync(ct);
        try
        {
            return await CheckpointCoreAsync(ct);
        }
        finally
        {
            _checkpointLock.Release();
        }
    }

    /// <summary>
    /// Stops the write pipeline (finishing queued writes), takes a final checkpoint so the next start replays little,
    /// then stops the applier and closes the index and the log.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _timerLoop;
        await StopVerificationAsync();
        Log.DamageFound -= OnDamageFound;
        await Writes.DisposeAsync();
        try
        {
            if (_options.CheckpointOnDispose && Applier.Fault is null && Writes.Fault is null)
            {
                await CheckpointAsync(CancellationToken.None);
            }
        }
        finally
        {
            Applier.Dispose();
            Index.Dispose();
            await Log.DisposeAsync();
            _metrics.Dispose();
            _checkpointLock.Dispose();
            _stopping.Dispose();
        }
    }

    private void StartCheckpointTimer()
    {
        var interval = _options.CheckpointInterval;
        var byTime = interval > TimeSpan.Zero && interval != Timeout.InfiniteTimeSpan;
        if (!byTime && _options.CheckpointEveryRecords <= 0)
        {
            return;
        }

        _timerLoop = Task.Run(() => CheckpointPeriodicallyAsync(byTime ? interval : Timeout.InfiniteTimeSpan));
    }

    /// <summary>Checkpoints every <paramref name="interval"/>, and whenever <see cref="GateEngineOptions.CheckpointEveryRecords"/>
    /// records were applied since the last checkpoint, whichever comes first.</summary>
    private async Task CheckpointPeriodicallyAsync(TimeSpan interval)
    {
        var everyRecords = _options.CheckpointEveryRecords;
        using var timer = interval == Timeout.InfiniteTimeSpan ? null : new PeriodicTimer(interval, _time);
        Task<bool>? tick = null;
        try
        {
            while (true)
            {
                // PeriodicTimer allows one wait at a time: a tick not yet reached carries over to the next round.
                tick ??= timer?.WaitForNextTickAsync(_stopping.Token).AsTask();
                bool byRecords;
                using (var round = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
                {
                    var records = everyRecords > 0
                        ? Applier.WaitForAppliedAsync(LastCheckpointSequence + (ulong)everyRecords, round.Token)
                        : Task.Delay(Timeout.InfiniteTimeSpan, round.Token);
                    var first = tick is null ? await Task.WhenAny(records) : await Task.WhenAny(tick, records);
                    await round.CancelAsync();
                    byRecords = first != tick;
                    if (byRecords)
                    {
                        // Throws when disposing (cancelled) or when the applier stopped (faulted): both end the loop.
                        await records;
                        var since = Applier.AppliedSequence - LastCheckpointSequence;
                        if (since < (ulong)everyRecords)
                        {
                            // Another checkpoint (at shutdown, a snapshot base) came in between: count from it.
                            continue;
                        }

                        EngineLog.CheckpointByRecords(_logger, since, everyRecords);
                    }
                    else
                    {
                        var ticking = await tick!;
                        tick = null;
                        if (!ticking)
                        {
                            return;
                        }
                    }
                }

                try
                {
                    await CheckpointAsync(_stopping.Token);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // A failed checkpoint must not stop the next one; the log still holds everything.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    EngineLog.PeriodicCheckpointFailed(_logger, e);
                    if (byRecords)
                    {
                        // The record count is still past the limit: without a pause this would retry in a loop.
                        await Task.Delay(RetryAfterFailedCheckpoint, _time, _stopping.Token);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposing.
        }
#pragma warning disable CA1031 // The applier stopped: its fault is reported by readiness, and checkpoints end with it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            EngineLog.PeriodicCheckpointFailed(_logger, e);
        }
    }
}
