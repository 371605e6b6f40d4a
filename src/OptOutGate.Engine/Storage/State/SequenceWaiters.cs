namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// Callers waiting for a sequence number to be reached. A min-heap by sequence under one short lock: publishing
/// sequence S completes exactly the waiters at or below S, so thousands of waiters (write acks, CheckBatch
/// min_sequence) cost O(log n) each instead of every waiter re-checking on every publish. Completions run
/// asynchronously, never on the publishing (applier) thread.
/// </summary>
internal sealed class SequenceWaiters
{
    private readonly PriorityQueue<TaskCompletionSource, ulong> _heap = new();
    private readonly Lock _lock = new();
    private ulong _reached;
    private Exception? _fault;

    public ulong Reached => Volatile.Read(ref _reached);

    public Task WaitAsync(ulong sequence, CancellationToken ct)
    {
        if (sequence <= Volatile.Read(ref _reached))
        {
            return Task.CompletedTask;
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_fault is not null)
            {
                return Task.FromException(_fault);
            }

            if (sequence <= _reached)
            {
                return Task.CompletedTask;
            }

            _heap.Enqueue(waiter, sequence);
        }

        // A cancelled waiter stays in the heap until its sequence is reached or the heap is failed; completing it
        // then is a no-op. That bounds the leak by the waiters of sequences never reached.
        return ct.CanBeCanceled ? WaitCancellableAsync(waiter.Task, ct) : waiter.Task;
    }

    /// <summary>Publishes that every sequence up to <paramref name="sequence"/> is reached and releases their waiters.</summary>
    public void Publish(ulong sequence)
    {
        List<TaskCompletionSource>? ready = null;
        lock (_lock)
        {
            if (sequence <= _reached)
            {
                return;
            }

            Volatile.Write(ref _reached, sequence);
            while (_heap.TryPeek(out var waiter, out var wanted) && wanted <= sequence)
            {
                _heap.Dequeue();
                (ready ??= []).Add(waiter);
            }
        }

        if (ready is not null)
        {
            foreach (var waiter in ready)
            {
                waiter.TrySetResult();
            }
        }
    }

    /// <summary>Fails every current and future waiter (the applier stopped on an error or was disposed).</summary>
    public void Fail(Exception error)
    {
        List<TaskCompletionSource> pending;
        lock (_lock)
        {
            _fault ??= error;
            pending = new List<TaskCompletionSource>(_heap.Count);
            while (_heap.TryDequeue(out var waiter, out _))
            {
                pending.Add(waiter);
            }
        }

        foreach (var waiter in pending)
        {
            waiter.TrySetException(error);
        }
    }

    private static async Task WaitCancellableAsync(Task task, CancellationToken ct) => await task.WaitAsync(ct);
}
