namespace OptOutGate.Rpc.Server.Health;

/// <summary>Options of <c>AddRpcHealth</c>.</summary>
public sealed class RpcHealthOptions
{
    /// <summary>
    /// Whether the server (<c>""</c>) and each registered service start as SERVING. Default true; set false when
    /// the host loads data first and calls <see cref="HealthStatusRegistry.SetServing"/>(true) when ready.
    /// </summary>
    public bool InitiallyServing { get; set; } = true;

    /// <summary>
    /// Whether every service in the server's registry gets its own health entry at start-up (besides <c>""</c>).
    /// Default true: clients that check a service by name (grpc client-side health checking) find it.
    /// </summary>
    public bool RegisterServices { get; set; } = true;
}
