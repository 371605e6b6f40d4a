namespace OptOutGate.Server.Readiness;

/// <summary>The gate's readiness, in the order a process lives through them.</summary>
public enum ReadinessState
{
    Loading,
    Serving,

    /// <summary>A replica that has not caught up with its primary, or whose lag is beyond its bound.</summary>
    Behind,

    /// <summary>
    /// The stored data is damaged where the checks depend on it (found at start-up, or by a reader later): the gate
    /// refuses to serve until an operator re-seeds or cuts it; only a restart leaves this state.
    /// </summary>
    Damaged,
    Draining,
}
