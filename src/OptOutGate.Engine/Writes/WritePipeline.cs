using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Configuration;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Storage.State;

namespace OptOutGate.Engine.Writes;

/// <summary>
/// The single writer of a gate (the primary). One loop takes queued requests in batches, validates each against the
/// applied state plus this pipeline's pending records (<see cref="WriteOverlay"/>, so two quick writes to one key see
/// each other), turns them into history records, and appends each batch with one <see cref="ChangeLog.AppendAsync"/>
/// (one group commit). While a batch commits and is applied, the loop validates and appends the next, so concurrent
/// writers share commits. A request completes when every record of its batch is durable (fsync'ed) and applied
/// (visible to checks): an acknowledged write survives a crash and is seen by every later check on this node.
/// </summary>
/// <remarks>
/// Failure: if the change log faults (an I/O error), the pipeline fails the requests in flight and every later one
/// with <see cref="ChangeLogFaultedException"/>; the process must restart (recovery keeps exactly what is on disk).
/// Cancellation of <see cref="WriteAsync"/> only stops the caller's wait: a request already taken by the loop is
/// written anyway.
/// </remarks>
internal sealed partial class WritePipeline : IAsyncDisposable
{
    private readonly ChangeLog _log;
    private readonly GateStateApplier _applier;
    private readonly ScopeTable _scopes;
    private readonly GateConfig _config;
    private readonly HistoryHeads _heads;
    private readonly WritePipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WriteOverlay _overlay = new();
    private readonly WriteStateView _view;
    private readonly Channel<PendingWrite> _queue;
    private readonly SemaphoreSlim _inFlight;
    private readonly TaskCompletionSource<Exception> _faultedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _faulted = new();
    private readonly Action<LogEntry> _fillBackPointers;
    private readonly Func<string, string, IEnumerable<BlockingRule>> _appliedRulesOf;
    private Task? _loop;
    private long _currentBatch;
    private ulong _lastWritten;
    private Exception? _fault;
    private string? _refusal;

    public WritePipeline(
        ChangeLog log,
        GateStateApplier applier,
        EntryIndex index,
        ScopeTable scopes,
        GateConfig config,
        HistoryHeads heads,
        WritePipelineOptions options,
        TimeProvider time,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _log = log;
        _applier = applier;
        _scopes = scopes;
        _config = config;
        _heads = heads;
        _options = options;
        _time = time;
        _logger = logger;
        _view = new WriteStateView(index, scopes, config, _overlay, log);
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _inFlight = new SemaphoreSlim(options.MaxInFlightBatches, options.MaxInFlightBatches);
        _fillBackPointers = FillBackPointers;
        _appliedRulesOf = (tenant, sender) => _config.ListBlockingRules(tenant, sender);
        _lastWritten = log.LastSequence;
    }

    /// <summary>
    /// Makes this node read-only (a replica): every later <see cref="WriteAsync"/> throws a
    /// <see cref="WritesRefusedException"/> with <paramref name="refusal"/> as its message (the host's, naming the
    /// primary; a CONFIRMATION check, which spends a window, meets it too), so the local log only ever holds the
    /// primary's records under the primary's sequence numbers.
    /// </summary>
    public void RefuseWrites(string refusal) => Volatile.Write(ref _refusal, refusal);

    /// <summary>The error that stopped the pipeline, if any.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Completes with the error that stopped the pipeline; never completes while it runs.</summary>
    public Task<Exception> Faulted => _faultedSignal.Task;

    /// <summary>Starts the loop. Call once the applier has applied the whole log (recovery done).</summary>
    public void Start()
    {
        _lastWritten = _log.LastSequence;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Submits a write and completes with its result once the records it wrote are durable and applied (visible to
    /// checks). Requests are processed in submission order. Malformed requests (a bad target, an oversized record)
    /// fail with <see cref="ArgumentException"/> and write nothing.
    /// </summary>
    /// <exception cref="ChangeLogFaultedException">The log failed; nothing more can be written until restart.</exception>
    /// <exception cref="WritesRefusedException">This node refuses writes (a replica).</exception>
    public async Task<WriteResult> WriteAsync(WriteRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.TenantId);
        ThrowIfFaulted();
        if (Volatile.Read(ref _refusal) is { } refusal)
        {
            throw new WritesRefusedException(refusal);
        }

        var pending = new PendingWrite(request);
        await _queue.Writer.WriteAsync(pending, ct);
        return await pending.Completion.Task.WaitAsync(ct);
    }

    /// <summary>Stops taking requests, finishes those queued and in flight, then returns.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop;
        }

        for (var i = 0; i < _options.MaxInFlightBatches; i++)
        {
            await _inFlight.WaitAsync();
        }

        _inFlight.Dispose();
        _faulted.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            await _inFlight.WaitAsync();
            var batch = new WriteBatch(++_currentBatch);
            try
            {
                await FillBatchAsync(batch, reader);
                Task<ulong>? append = null;
                if (batch.Entries.Count > 0)
                {
                    // Sequences are assigned and beforeWrite runs synchronously inside this call (ChangeLog.Enqueue),
                    // so the next batch's validation already sees this batch's sequences and heads.
                    append = _log.AppendAsync(batch.Entries, _fillBackPointers, CancellationToken.None);
                    if (!append.IsFaulted)
                    {
                        _lastWritten = batch.Entries[^1].Record.Sequence;
                    }

                    WritesLog.BatchAppended(_logger, batch.Id, batch.Requests.Count, batch.Entries.Count);
                }

                batch.WaitForSequence = _lastWritten;
                _overlay.EndBatch(batch.Id, _lastWritten);
                _ = CompleteAsync(batch, append);
            }
#pragma warning disable CA1031 // The loop must survive anything one batch throws; the batch's callers get the error.
            catch (Exception e)
#pragma warning restore CA1031
            {
                SetFault(e);
                FailBatch(batch, e);
                _inFlight.Release();
            }
        }
    }

    private async Task FillBatchAsync(WriteBatch batch, ChannelReader<PendingWrite> reader)
    {
        _overlay.Prune(_applier.AppliedSequence);
        _view.Now = _time.GetUtcNow();
        while (batch.Entries.Count < _options.MaxBatchRecords && reader.TryRead(out var pending))
        {
            if (Fault is { } fault)
            {
                pending.Completion.TrySetException(fault);
                continue;
            }

            if (pending.Completion.Task.IsCompleted)
            {
                continue;
            }

            try
            {
                await ValidateAsync(pending, batch);
                batch.Requests.Add(pending);
            }
            catch (ArgumentException e)
            {
                WritesLog.RequestRejected(_logger, e);
                pending.Completion.TrySetException(e);
            }
        }
    }

    private async Task CompleteAsync(WriteBatch batch, Task<ulong>? append)
    {
        try
        {
            if (append is not null)
            {
                await append;
                _applier.Enqueue(batch.Entries);
            }

            await _applier.WaitForAppliedAsync(batch.WaitForSequence, _faulted.Token);
            foreach (var pending in batch.Requests)
            {
                pending.Complete();
            }
        }
#pragma warning disable CA1031 // Every failure goes to the batch's callers.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var error = e is OperationCanceledException && Fault is { } fault ? fault : e;
            if (append is { IsFaulted: true })
            {
                SetFault(error);
            }

            FailBatch(batch, error);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private void FillBackPointers(LogEntry entry)
    {
        var record = entry.Record;
        if (record.Recipient.Length != 0 && E164.TryParse(record.Recipient, out var recipient))
        {
            entry.PreviousForRecipient = _overlay.TryGetRecipientHead(record.TenantId, recipient, out var pendingHead)
                ? pendingHead
                : _scopes.TryGetTenantId(record.TenantId, out var tenantId) ? _heads.GetRecipientHead(tenantId, recipient) : 0;
        }
        else
        {
            recipient = 0;
        }

        if (record.Sender.Length != 0)
        {
            entry.PreviousForSender = _overlay.TryGetSenderHead(record.TenantId, record.Sender, out var pendingHead)
                ? pendingHead
                : _scopes.TryGetTenantId(record.TenantId, out var tenantId) ? _heads.GetSenderHead(tenantId, record.Sender) : 0;
        }

        _overlay.SetHeads(record.TenantId, recipient, record.Sender, record.Sequence, _currentBatch);
        PendingLinks.Resolve(record);
    }

    private void SetFault(Exception error)
    {
        if (Interlocked.CompareExchange(ref _fault, error, null) is null)
        {
            WritesLog.PipelineFaulted(_logger, error);
            _faulted.Cancel();
            _faultedSignal.TrySetResult(error);
        }
    }

    private static void FailBatch(WriteBatch batch, Exception error)
    {
        foreach (var pending in batch.Requests)
        {
            pending.Completion.TrySetException(error);
        }
    }

    private void ThrowIfFaulted()
    {
        if (Fault is { } fault)
        {
            throw fault as ChangeLogFaultedException ?? new ChangeLogFaultedException("The write pipeline stopped after a failure.", fault);
        }
    }
}
