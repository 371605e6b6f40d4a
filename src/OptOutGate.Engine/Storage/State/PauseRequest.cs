namespace OptOutGate.Engine.Storage.State;

/// <summary>One request to pause <see cref="GateStateApplier"/>: the caller awaits <see cref="Paused"/>, the applier thread parks until resumed.</summary>
internal sealed class PauseRequest
{
    private readonly ManualResetEventSlim _resume = new(false);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<ApplierPause> Paused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the pause is over and its slot free (resumed, cancelled or failed): the next may begin.</summary>
    public Task Ended => _ended.Task;

    public void End() => _ended.TrySetResult();

    /// <summary>Applier thread: reports the pause at <paramref name="appliedSequence"/> and blocks until resumed (or cancelled before).</summary>
    public void WaitWhilePaused(ulong appliedSequence)
    {
        if (Paused.TrySetResult(new ApplierPause(this, appliedSequence)))
        {
            _resume.Wait();
        }

        _resume.Dispose();
    }

    public void Resume()
    {
        try
        {
            _resume.Set();
        }
        catch (ObjectDisposedException)
        {
            // Already resumed and released by the applier thread.
        }
    }

    public void Cancel()
    {
        Paused.TrySetCanceled();
        Resume();
    }

    public void Fail(Exception error) => Paused.TrySetException(error);
}
