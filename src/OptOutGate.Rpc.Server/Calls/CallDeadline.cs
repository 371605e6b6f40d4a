namespace OptOutGate.Rpc.Server.Calls;

/// <summary>
/// The deadline of one call (from <c>grpc-timeout</c>). When it passes, the call is ended here — DEADLINE_EXCEEDED
/// sent, the response completed, the stream reset with CANCEL, then the handler's token cancelled — and the handler's
/// late completion must not write again (grpc-dotnet's ServerCallDeadlineManager). Ownership of the call's end is
/// decided once, under a lock, by <see cref="TryEnterCompletion"/> versus the timer. Allocated only for calls that
/// carry a deadline.
/// </summary>
internal sealed class CallDeadline : IAsyncDisposable
{
    // System.Threading.Timer cannot be armed beyond uint.MaxValue - 1 ms (about 49.7 days); a longer deadline is
    // reported in ServerCallContext.Deadline but never fires, which no real call can tell apart.
    private static readonly TimeSpan s_maxTimerDueTime = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
    private static readonly TimerCallback s_onTimer = static state => _ = ((CallDeadline)state!).OnExpiredAsync();

    private readonly Lock _sync = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _cts;
    private readonly RpcServerCallContext _call;
    private readonly ITimer? _timer;
    private CallState _state;
    private TaskCompletionSource? _expiryHandled;

    public CallDeadline(RpcServerCallContext call, TimeSpan timeout, TimeProvider timeProvider)
    {
        _call = call;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(call.HttpContext.RequestAborted);
        var now = timeProvider.GetUtcNow().UtcDateTime;
        Deadline = timeout < DateTime.MaxValue - now ? now + timeout : DateTime.MaxValue;
        if (timeout <= s_maxTimerDueTime)
        {
            // Last, so that a timer firing at once finds every field set.
            _timer = timeProvider.CreateTimer(s_onTimer, this, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    public DateTime Deadline { get; }

    /// <summary>Cancelled by the client's RST_STREAM or, after the status is sent, by the deadline.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>True once the timer has claimed the end of the call.</summary>
    public bool HasExpired
    {
        get
        {
            lock (_sync)
            {
                return _state == CallState.DeadlineExceeded;
            }
        }
    }

    /// <summary>Completes when the timer has finished ending the call; valid once <see cref="TryEnterCompletion"/> returned false.</summary>
    public Task WhenExpiryHandled => _expiryHandled!.Task;

    /// <summary>Claims the end of the call for the handler; false when the deadline already claimed it.</summary>
    public bool TryEnterCompletion()
    {
        lock (_sync)
        {
            if (_state == CallState.DeadlineExceeded)
            {
                return false;
            }

            _state = CallState.Completing;
            return true;
        }
    }

    /// <summary>Serializes a handler's write with the deadline's own writes; throws once the call has ended.</summary>
    public async ValueTask EnterWriteAsync()
    {
        await _writeLock.WaitAsync();
        bool running;
        lock (_sync)
        {
            running = _state == CallState.Running;
        }

        if (!running)
        {
            _writeLock.Release();
            throw new OperationCanceledException("The call has ended: its deadline passed.", _cts.Token);
        }
    }

    public void ExitWrite() => _writeLock.Release();

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            // Waits for a callback in progress; a callback queued later finds the state no longer Running.
            await _timer.DisposeAsync();
        }

        if (_expiryHandled is not null)
        {
            await _expiryHandled.Task;
        }

        _cts.Dispose();
        _writeLock.Dispose();
    }

    private async Task OnExpiredAsync()
    {
        lock (_sync)
        {
            if (_state != CallState.Running)
            {
                return;
            }

            _state = CallState.DeadlineExceeded;
            _expiryHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        try
        {
            if (!_writeLock.Wait(0))
            {
                // A write is in progress, maybe blocked by flow control on a client that stopped reading: cancelling
                // its flush is what lets it release the lock.
                await _cts.CancelAsync();
                await _writeLock.WaitAsync();
            }

            try
            {
                await _call.EndAtDeadlineAsync();
            }
            finally
            {
                _writeLock.Release();
            }

            await _cts.CancelAsync();
        }
#pragma warning disable CA1031 // A timer callback has no caller to report to: anything thrown is logged and the call still ends.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RpcServerLog.DeadlineCompletionFailed(_call.Services.Logger, _call.Method, ex);
        }
        finally
        {
            _expiryHandled.SetResult();
        }
    }
}
