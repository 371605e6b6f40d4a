namespace OptOutGate.Server.Hosting;

/// <summary>The gate's readiness, in the order a process lives through them.</summary>
public enum ReadinessState
{
    Loading,
    Serving,

    /// <summary>A replica that has not caught up with its primary, or whose lag is beyond its bound (issue #5).</summary>
    Behind,
    Draining,
}
