namespace OptOutGate.Server.Readiness;

/// <summary>
/// Whether the gate may answer calls. It starts <see cref="ReadinessState.Loading"/> (recovery of the index runs
/// here), becomes <see cref="ReadinessState.Serving"/>, and turns <see cref="ReadinessState.Draining"/> at shutdown.
/// Health and the call gate both read it, so the health status and the answers can never disagree.
/// </summary>
public sealed class ServerReadiness
{
    private readonly Lock _servingLock = new();
    private int _state = (int)ReadinessState.Loading;
    private bool _caughtUp = true;
    private CancellationTokenSource _serving = new();

    public ServerReadiness() => Changed += OnChanged;

    /// <summary>Raised after every change, with the new state.</summary>
    public event Action<ReadinessState>? Changed;

    public ReadinessState State => (ReadinessState)Volatile.Read(ref _state);

    public bool IsServing => State == ReadinessState.Serving;

    /// <summary>
    /// Cancelled as soon as the gate stops serving (a replica falls Behind, or it drains); a fresh token once it serves
    /// again. Long calls that answer from the state (CheckStream) link it, so that a stream opened while serving ends
    /// with UNAVAILABLE instead of going on answering from a stale copy.
    /// </summary>
    public CancellationToken ServingToken
    {
        get
        {
            lock (_servingLock)
            {
                return _serving.Token;
            }
        }
    }

    /// <summary>
    /// Loading → Serving (the engine host, once recovery is done and the host started); never out of Draining. On a
    /// replica that is not caught up (<see cref="SetCaughtUp"/>), Loading → Behind instead.
    /// </summary>
    public void MarkServing()
    {
        var target = Volatile.Read(ref _caughtUp) ? ReadinessState.Serving : ReadinessState.Behind;
        if (Interlocked.CompareExchange(ref _state, (int)target, (int)ReadinessState.Loading) == (int)ReadinessState.Loading)
        {
            Changed?.Invoke(target);
            SetCaughtUp(Volatile.Read(ref _caughtUp));
        }
    }

    /// <summary>
    /// Replicas: whether this node is close enough to its primary to answer. Moves Serving ↔ Behind once
    /// loaded; before that it decides what <see cref="MarkServing"/> turns to. Never leaves Loading or Draining.
    /// </summary>
    public void SetCaughtUp(bool caughtUp)
    {
        Volatile.Write(ref _caughtUp, caughtUp);
        var (from, to) = caughtUp ? (ReadinessState.Behind, ReadinessState.Serving) : (ReadinessState.Serving, ReadinessState.Behind);
        if (Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from)
        {
            Changed?.Invoke(to);
        }
    }

    /// <summary>Why the gate is <see cref="ReadinessState.Damaged"/> (the damage and what to do); null otherwise.</summary>
    public string? DamageReason { get; private set; }

    /// <summary>Any state but Draining → Damaged, for the rest of the process's life: the gate answers nothing but health.</summary>
    public void MarkDamaged(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        DamageReason ??= reason;
        while (true)
        {
            var current = Volatile.Read(ref _state);
            if (current is (int)ReadinessState.Draining or (int)ReadinessState.Damaged)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _state, (int)ReadinessState.Damaged, current) == current)
            {
                Changed?.Invoke(ReadinessState.Damaged);
                return;
            }
        }
    }

    public void MarkDraining() => Set(ReadinessState.Draining);

    private void OnChanged(ReadinessState state)
    {
        CancellationTokenSource? stale = null;
        lock (_servingLock)
        {
            if (state != ReadinessState.Serving && !_serving.IsCancellationRequested)
            {
                stale = _serving;
            }
            else if (state == ReadinessState.Serving && _serving.IsCancellationRequested)
            {
                _serving = new CancellationTokenSource();
            }
        }

        // Outside the lock: cancellation runs the streams' callbacks. Never disposed, as calls may still hold its token.
        stale?.Cancel();
    }

    private void Set(ReadinessState state)
    {
        var previous = (ReadinessState)Interlocked.Exchange(ref _state, (int)state);
        if (previous != state)
        {
            Changed?.Invoke(state);
        }
    }
}
