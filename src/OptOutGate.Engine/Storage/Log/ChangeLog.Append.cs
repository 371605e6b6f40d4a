using System.Buffers;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Storage.Log;

internal sealed partial class ChangeLog
{
    /// <summary>
    /// Appends <paramref name="entries"/> in order and completes when they are on disk: after the FasterLog commit
    /// (write-through I/O of the records and of the commit metadata) that covers the last of them. Returns the last
    /// assigned sequence.
    /// </summary>
    /// <remarks>
    /// Under one lock, each entry gets the next sequence (<c>Record.Sequence</c>) and the receive time (UTC now from
    /// the <see cref="TimeProvider"/>, never earlier than the previous append's; <c>Record.ReceiveTime</c>), then
    /// <paramref name="beforeWrite"/> runs on it (to fill the back-pointers) and it is serialized. Nothing is enqueued
    /// until every entry serialized, so an exception from <paramref name="beforeWrite"/> or an oversized entry uses no
    /// sequence (the entries keep the sequences they were shown). <paramref name="ct"/> cancels only the wait: once
    /// this method has returned a task, the records are enqueued and will commit.
    /// </remarks>
    /// <exception cref="ChangeLogFaultedException">A write or commit failed; the records may or may not be on disk.</exception>
    public async Task<ulong> AppendAsync(IReadOnlyList<LogEntry> entries, Action<LogEntry>? beforeWrite, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            throw new ArgumentException("Append at least one entry.", nameof(entries));
        }

        ct.ThrowIfCancellationRequested();
        var last = Enqueue(entries, beforeWrite, replicated: false);
        _metrics.Appended(entries.Count);
        _commitRequests.Writer.TryWrite(true);
        await WaitForSequenceAsync(last, ct);
        return last;
    }

    /// <summary>Completes when <see cref="LastSequence"/> ≥ <paramref name="sequence"/>, that is when it is on disk.</summary>
    /// <exception cref="ChangeLogFaultedException">The log faulted before the sequence was committed.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed before the sequence was committed.</exception>
    public Task WaitForSequenceAsync(ulong sequence, CancellationToken ct) =>
        sequence <= LastSequence ? Task.CompletedTask : WaitSlowAsync(sequence, ct);

    private async Task WaitSlowAsync(ulong sequence, CancellationToken ct)
    {
        while (true)
        {
            // Read the signal before the sequence: the committer publishes the sequence before it swaps the signal.
            var signal = Volatile.Read(ref _committed);
            if (LastSequence >= sequence)
            {
                return;
            }

            ThrowIfUnusable();
            await signal.Task.WaitAsync(ct);
        }
    }

    private ulong Enqueue(IReadOnlyList<LogEntry> entries, Action<LogEntry>? beforeWrite, bool replicated)
    {
        var count = entries.Count;
        var sizes = ArrayPool<int>.Shared.Rent(count);
        byte[]? buffer = null;
        try
        {
            lock (_appendLock)
            {
                ThrowIfUnusable();
                if (replicated)
                {
                    PrepareReplicated(entries);
                }

                var ticks = replicated ? ReplicatedReceiveTicks(entries) : Math.Max(_time.GetUtcNow().UtcTicks, _lastReceiveTicks);
                var receiveTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(ticks, TimeSpan.Zero));
                var first = _lastEnqueued + 1;
                var total = 0;
                for (var i = 0; i < count; i++)
                {
                    var entry = entries[i] ?? throw new ArgumentException("Entries must not be null.", nameof(entries));
                    var sequence = first + (ulong)i;
                    entry.Record ??= new ChangeRecord();
                    if (!replicated)
                    {
                        entry.Record.Sequence = sequence;
                        entry.Record.ReceiveTime = i == 0 ? receiveTime : receiveTime.Clone();
                    }

                    beforeWrite?.Invoke(entry);
                    if (entry.Record?.Sequence != sequence)
                    {
                        throw new InvalidOperationException("beforeWrite must not change the record or its sequence.");
                    }

                    var size = entry.CalculateSize();
                    if (size > _options.MaxEntryBytes)
                    {
                        throw new ArgumentException($"A log entry of {size} bytes is over the limit of {_options.MaxEntryBytes}.", nameof(entries));
                    }

                    sizes[i] = size;
                    total += LogEntryFrame.HeaderSize + size;
                }

                buffer = ArrayPool<byte>.Shared.Rent(total);
                var offset = 0;
                for (var i = 0; i < count; i++)
                {
                    LogEntryFrame.Write(buffer.AsSpan(offset), first + (ulong)i, entries[i], sizes[i]);
                    offset += LogEntryFrame.HeaderSize + sizes[i];
                }

                try
                {
                    offset = 0;
                    for (var i = 0; i < count; i++)
                    {
                        var length = LogEntryFrame.HeaderSize + sizes[i];
                        _map.Add(_log.Enqueue(buffer.AsSpan(offset, length)));
                        offset += length;
                    }
                }
                catch (Exception ex)
                {
                    // Some records may be in the log's memory: no later append may take their sequences.
                    Fault(ex);
                    throw new ChangeLogFaultedException("Enqueueing to the change log failed; the log is faulted.", ex);
                }

                _lastEnqueued = first + (ulong)count - 1;
                _lastReceiveTicks = ticks;
                return _lastEnqueued;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(sizes);
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task CommitLoopAsync()
    {
        var requests = _commitRequests.Reader;
        try
        {
            while (await requests.WaitToReadAsync())
            {
                requests.TryRead(out _);
                await CommitPendingAsync();
            }
        }
#pragma warning disable CA1031 // Any failure faults the log; appenders see it through their wait.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fault(ex);
        }
    }

    /// <summary>
    /// Tests: commits wait until the returned handle is disposed, so appends stay enqueued but not durable (what a
    /// replica's log looks like between applying a record and its own fsync).
    /// </summary>
    internal IDisposable HoldCommits()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _commitHold, hold);
        return new CommitHold(this, hold);
    }

    /// <summary>Commits everything enqueued so far and publishes its last sequence once the commit is on disk.</summary>
    private async Task CommitPendingAsync()
    {
        if (Volatile.Read(ref _commitHold) is { } hold)
        {
            await hold.Task;
        }

        ulong target;
        long tail;
        long start;
        lock (_appendLock)
        {
            // Taken under the lock so that the commit ends between two appends, never inside one.
            target = _lastEnqueued;
            if (target == LastSequence)
            {
                return;
            }

            tail = _log.TailAddress;
            start = _time.GetTimestamp();
            _log.Commit();
        }

        await _log.WaitForCommitAsync(tail);
        _metrics.Committed(_time.GetElapsedTime(start));
        Volatile.Write(ref _lastSequence, target);
        Interlocked.Exchange(ref _committed, NewSignal()).TrySetResult();
    }

    private void Fault(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _fault, exception, null) is null)
        {
            ChangeLogLog.Faulted(_logger, exception, LastSequence);
            _faulted.TrySetResult(exception);
            Interlocked.Exchange(ref _committed, NewSignal())
                .TrySetException(new ChangeLogFaultedException("The change log is faulted after a write or commit failure; restart the process.", exception));
        }
    }

    private void ThrowIfUnusable()
    {
        var fault = Volatile.Read(ref _fault);
        if (fault is not null)
        {
            throw new ChangeLogFaultedException("The change log is faulted after a write or commit failure; restart the process.", fault);
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
    }

    private sealed class CommitHold(ChangeLog log, TaskCompletionSource hold) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.CompareExchange(ref log._commitHold, null, hold);
            hold.TrySetResult();
        }
    }
}
