using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Configuration;

namespace OptOutGate.Engine.Mo;

/// <summary>
/// Keeps a <see cref="MoLedger"/> in step with the engine's log: loads the ledger's snapshot (<c>&lt;dir&gt;/ledger.bin</c>, <see cref="DataLayout.MoLedgerSnapshot"/>),
/// folds every committed record after it, then follows the applied sequence; snapshots periodically and when disposed.
/// The ledger is state derived from the log like the index, so a restart (even after SIGKILL) rebuilds it exactly:
/// snapshot at M plus the records after M. On a replica the same happens with the records it replicated.
/// </summary>
internal sealed class MoLedgerFollower : IAsyncDisposable
{
    private const int Chunk = 1024;
    private const ulong SnapshotEveryRecords = 500_000;

    private readonly GateEngine _engine;
    private readonly string _path;
    private readonly MoOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private ulong _savedSequence;
    private long _rounds;

    private MoLedgerFollower(GateEngine engine, MoLedger ledger, string path, MoOptions options, ILogger logger, TimeProvider time)
    {
        _engine = engine;
        Ledger = ledger;
        _path = path;
        _options = options;
        _logger = logger;
        _time = time;
        _savedSequence = ledger.FoldedSequence;
    }

    public MoLedger Ledger { get; }

    /// <summary>How many times the follow loop woke up (tests: it must wait, not spin, while nothing can be folded).</summary>
    internal long Rounds => Volatile.Read(ref _rounds);

    /// <summary>Loads the snapshot, folds the log up to the applied sequence as of now, and starts following.</summary>
    public static async Task<MoLedgerFollower> StartAsync(GateEngine engine, string directory, MoOptions options, ILogger logger, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, DataLayout.MoLedgerSnapshot);
        var ledger = LoadSnapshot(engine, path, options, logger);
        var follower = new MoLedgerFollower(engine, ledger, path, options, logger, time);
        var from = ledger.FoldedSequence;
        await follower.CatchUpAsync(engine.Applier.AppliedSequence, ct);
        MoLog.Ready(logger, ledger.FoldedSequence, ledger.FoldedSequence - from, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        follower._loop = Task.Run(follower.FollowAsync, CancellationToken.None);
        return follower;
    }

    /// <summary>Saves a snapshot now if anything was folded since the last one.</summary>
    public void SaveSnapshot()
    {
        if (Ledger.FoldedSequence == Volatile.Read(ref _savedSequence))
        {
            return;
        }

        var sequence = Ledger.Save(_path);
        Volatile.Write(ref _savedSequence, sequence);
        MoLog.SnapshotSaved(_logger, sequence);
    }

    /// <summary>Stops following and saves a final snapshot (best effort: without it a restart replays a little more).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _loop;
        try
        {
            SaveSnapshot();
        }
#pragma warning disable CA1031 // A failed final snapshot only costs replay time at the next start.
        catch (Exception e)
#pragma warning restore CA1031
        {
            MoLog.SnapshotFailed(_logger, e);
        }

        _stopping.Dispose();
    }

    private static MoLedger LoadSnapshot(GateEngine engine, string path, MoOptions options, ILogger logger)
    {
        if (!File.Exists(path))
        {
            return new MoLedger(options.DuplicateWindow);
        }

        try
        {
            var ledger = MoLedger.Load(path, options.DuplicateWindow);
            var log = engine.Log;

            // A snapshot ahead of the log (a different data folder) or past what the log still holds cannot be continued.
            if (ledger.FoldedSequence > log.LastSequence || (ledger.FoldedSequence + 1 < log.FirstSequence && log.FirstSequence > 1))
            {
                throw new InvalidDataException($"The snapshot is at sequence {ledger.FoldedSequence}, the log holds {log.FirstSequence}..{log.LastSequence}.");
            }

            MoLog.SnapshotLoaded(logger, ledger.FoldedSequence);
            return ledger;
        }
        catch (InvalidDataException e)
        {
            MoLog.SnapshotUnusable(logger, path, e);
            return new MoLedger(options.DuplicateWindow);
        }
    }

    private async Task CatchUpAsync(ulong to, CancellationToken ct)
    {
        var from = Ledger.FoldedSequence + 1;
        if (to < from)
        {
            return;
        }

        var chunk = new List<ChangeRecord>(Chunk);

        // A replica bootstrapped from a snapshot at N holds no records up to N: the ledger starts after them. Left at 0,
        // the follow loop found record 1 "applied and durable" forever and spun, never reaching a cancellable wait (a
        // whole core busy, and SIGTERM never finished).
        var last = Math.Max(from, _engine.Log.FirstSequence) - 1;
        await foreach (var entry in _engine.Log.ReadAsync(from, to, ct))
        {
            chunk.Add(entry.Record);
            last = entry.Record.Sequence;
            if (chunk.Count == Chunk)
            {
                Ledger.FoldRange(chunk, last);
                chunk.Clear();
            }
        }

        Ledger.FoldRange(chunk, last);
    }

    private async Task FollowAsync()
    {
        var ct = _stopping.Token;
        var lastSnapshot = _time.GetTimestamp();
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    wait.CancelAfter(_options.SnapshotInterval);
                    try
                    {
                        // Applied and readable: a replica applies a record before its own log has it on disk
                        // (ReplicaRecordWriter), and the log reads only up to what is durable, so without the second
                        // wait this loop would spin, reading nothing, until the local commit.
                        var next = Ledger.FoldedSequence + 1;
                        await _engine.Applier.WaitForAppliedAsync(next, wait.Token);
                        await _engine.Log.WaitForSequenceAsync(next, wait.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        // Nothing new within the interval: fall through to the snapshot check.
                    }
                }

                Interlocked.Increment(ref _rounds);
                await CatchUpAsync(Math.Min(_engine.Applier.AppliedSequence, _engine.Log.LastSequence), ct);

                // By time, and after many records (a bulk import folds millions in less than an interval): a start after
                // a crash folds every record after the snapshot before MO calls are answered, about 1 µs each.
                if (_time.GetElapsedTime(lastSnapshot) >= _options.SnapshotInterval
                    || Ledger.FoldedSequence - Volatile.Read(ref _savedSequence) >= SnapshotEveryRecords)
                {
                    lastSnapshot = _time.GetTimestamp();
                    try
                    {
                        SaveSnapshot();
                    }
#pragma warning disable CA1031 // The next interval retries; the log still holds everything.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        MoLog.SnapshotFailed(_logger, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Disposing.
        }
#pragma warning disable CA1031 // The engine faulted or closed under us: MO calls then fail on the engine's own checks.
        catch (Exception e)
#pragma warning restore CA1031
        {
            MoLog.FollowFailed(_logger, Ledger.FoldedSequence, e);
        }
    }
}
