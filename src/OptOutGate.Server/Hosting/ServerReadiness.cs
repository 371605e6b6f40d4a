namespace OptOutGate.Server.Hosting;

/// <summary>
/// Whether the gate may answer calls. It starts <see cref="ReadinessState.Loading"/> (recovery of the index runs
/// here), becomes <see cref="ReadinessState.Serving"/>, and turns <see cref="ReadinessState.Draining"/> at shutdown.
/// Health and the call gate both read it, so the health status and the answers can never disagree.
/// </summary>
public sealed class ServerReadiness
{
    private int _state = (int)ReadinessState.Loading;

    /// <summary>Raised after every change, with the new state.</summary>
    public event Action<ReadinessState>? Changed;

    public ReadinessState State => (ReadinessState)Volatile.Read(ref _state);

    public bool IsServing => State == ReadinessState.Serving;

    /// <summary>Loading → Serving (the engine host, once recovery is done and the host started); never out of Draining.</summary>
    public void MarkServing()
    {
        if (Interlocked.CompareExchange(ref _state, (int)ReadinessState.Serving, (int)ReadinessState.Loading) == (int)ReadinessState.Loading)
        {
            Changed?.Invoke(ReadinessState.Serving);
        }
    }

    public void MarkDraining() => Set(ReadinessState.Draining);

    private void Set(ReadinessState state)
    {
        var previous = (ReadinessState)Interlocked.Exchange(ref _state, (int)state);
        if (previous != state)
        {
            Changed?.Invoke(state);
        }
    }
}
