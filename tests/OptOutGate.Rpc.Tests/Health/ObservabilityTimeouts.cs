namespace OptOutGate.Rpc.Tests.Health;

internal static class ObservabilityTimeouts
{
    /// <summary>How long a test waits for an answer that should come at once: generous, for loaded CI machines.</summary>
    public static readonly TimeSpan Call = TimeSpan.FromSeconds(10);
}
