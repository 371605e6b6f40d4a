namespace OptOutGate.Server.Hosting;

/// <summary>The gate's readiness, in the order a process lives through them.</summary>
public enum ReadinessState
{
    Loading,
    Serving,
    Draining,
}
