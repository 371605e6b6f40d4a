using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// Applies committed log entries to the index (<see cref="EntryIndex"/>), the configuration (<see cref="GateConfig"/>),
/// the scope table and the history heads, strictly in sequence order, on one dedicated thread (the index's single
/// writer). <see cref="AppliedSequence"/> is published after a run of records is applied: a record at or below it is
/// visible to every reader of the index and configuration. Entries may be handed over in any order and more than once;
/// each sequence is applied exactly once, when all lower ones are.
/// </summary>
internal sealed partial class GateStateApplier : IDisposable
{
    private readonly EntryIndex _index;
    private readonly ScopeTable _scopes;
    private readonly GateConfig _config;
    private readonly HistoryHeads _heads;
    private readonly ILogger _logger;
    private readonly SequenceWaiters _waiters = new();
    private readonly ConcurrentQueue<IReadOnlyList<LogEntry>> _queue = new();
    private readonly PriorityQueue<LogEntry, ulong> _reorder = new();
    private readonly SemaphoreSlim _work = new(0);
    private readonly TaskCompletionSource<Exception> _faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private PauseRequest? _pauseRequest;
    private volatile bool _stopping;
    private ulong _applied;
    private DateTime _lastReceiveTime;
    private Exception? _fault;

    /// <param name="appliedSequence">The sequence the given state already reflects (a checkpoint's N; 0 when empty).</param>
    public GateStateApplier(EntryIndex index, ScopeTable scopes, GateConfig config, HistoryHeads heads, ulong appliedSequence, ILogger logger)
    {
        _index = index;
        _scopes = scopes;
        _config = config;
        _heads = heads;
        _logger = logger;
        _applied = appliedSequence;
        _waiters.Publish(appliedSequence);
        _thread = new Thread(Run) { IsBackground = true, Name = "OptOutGate state applier" };
    }

    /// <summary>The highest sequence whose record, and every record before it, is applied and visible to readers.</summary>
    public ulong AppliedSequence => _waiters.Reached;

    /// <summary>The error that stopped the applier, if any (the node must restart; readiness should report it).</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Completes with the error that stopped the applier; never completes while it runs.</summary>
    public Task<Exception> Faulted => _faulted.Task;

    /// <summary>
    /// Completes once <see cref="AppliedSequence"/> is at least <paramref name="sequence"/>: the record is then durable
    /// (only committed records are applied) and visible to checks. Faults if the applier stopped on an error.
    /// </summary>
    public Task WaitForAppliedAsync(ulong sequence, CancellationToken ct) => _waiters.WaitAsync(sequence, ct);

    public void Start() => _thread.Start();

    /// <summary>Hands committed entries to the applier. Only entries the log has committed (fsync'ed) may be passed.</summary>
    public void Enqueue(IReadOnlyList<LogEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        _queue.Enqueue(entries);
        _work.Release();
    }

    /// <summary>
    /// Stops the applier at a sequence boundary (after the records queued so far that are contiguous) and returns a
    /// handle; while it is held nothing changes the index, configuration, scopes or heads, and
    /// <see cref="AppliedSequence"/> is the sequence they reflect. Disposing the handle resumes. One pause at a time:
    /// a second caller (a checkpoint and a GetSnapshot copy asking together) waits until the first pause has ended.
    /// </summary>
    public async Task<ApplierPause> PauseAsync(CancellationToken ct)
    {
        var request = new PauseRequest();
        while (Interlocked.CompareExchange(ref _pauseRequest, request, null) is { } current)
        {
            await current.Ended.WaitAsync(ct);
        }

        if (Fault is { } fault)
        {
            Release(request);
            throw new InvalidOperationException("The state applier is faulted.", fault);
        }

        _work.Release();
        try
        {
            return await request.Paused.Task.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // The applier may still take the request later: it then finds the pause cancelled and goes on.
            request.Cancel();
            Release(request);
            throw;
        }
    }

    /// <summary>
    /// Replica bootstrap: the caller, holding a pause (<see cref="PauseAsync"/>) of an applier that has
    /// applied nothing, has loaded a snapshot at <paramref name="sequence"/> into the state; the applier goes on from
    /// <paramref name="sequence"/> + 1 once resumed.
    /// </summary>
    public void AdoptBase(ulong sequence)
    {
        if (Volatile.Read(ref _pauseRequest) is null || _applied != 0 || _reorder.Count != 0 || !_queue.IsEmpty)
        {
            throw new InvalidOperationException("A snapshot base is adopted only by a paused applier that has applied nothing.");
        }

        _applied = sequence;
        _waiters.Publish(sequence);
    }

    public void Dispose()
    {
        _stopping = true;
        _work.Release();
        Volatile.Read(ref _pauseRequest)?.Resume();
        if (_thread.IsAlive && Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }

        _waiters.Fail(new ObjectDisposedException(nameof(GateStateApplier)));
        _work.Dispose();
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                _work.Wait();
                if (_stopping)
                {
                    return;
                }

                ApplyQueued();
                if (Volatile.Read(ref _pauseRequest) is { } pause)
                {
                    StateLog.ApplierPaused(_logger, _applied);
                    pause.WaitWhilePaused(_applied);
                    Release(pause);
                }
            }
        }
        catch (Exception e)
        {
            Volatile.Write(ref _fault, e);
            StateLog.ApplierFaulted(_logger, _applied, e);
            _faulted.TrySetResult(e);
            _waiters.Fail(new InvalidOperationException($"The state applier stopped at sequence {_applied}.", e));
            if (Volatile.Read(ref _pauseRequest) is { } pause)
            {
                pause.Fail(e);
                Release(pause);
            }
        }
    }

    /// <summary>Frees the pause slot held by <paramref name="request"/>, if it still is, and lets the next pause in.</summary>
    private void Release(PauseRequest request)
    {
        Interlocked.CompareExchange(ref _pauseRequest, null, request);
        request.End();
    }

    private void ApplyQueued()
    {
        while (_queue.TryDequeue(out var entries))
        {
            foreach (var entry in entries)
            {
                var sequence = entry.Record.Sequence;
                if (sequence > _applied)
                {
                    _reorder.Enqueue(entry, sequence);
                }
            }
        }

        var before = _applied;
        while (_reorder.TryPeek(out var next, out var sequence) && sequence <= _applied + 1)
        {
            _reorder.Dequeue();
            if (sequence == _applied + 1)
            {
                Apply(next);
                _applied = sequence;
            }
        }

        if (_applied != before)
        {
            _config.PruneExpiredWindows(_lastReceiveTime);
            _waiters.Publish(_applied);
        }
    }
}
