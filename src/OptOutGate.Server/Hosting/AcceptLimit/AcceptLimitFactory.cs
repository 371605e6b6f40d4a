using System.Net;
using Microsoft.AspNetCore.Connections;

namespace OptOutGate.Server.Hosting.AcceptLimit;

/// <summary>
/// Kestrel's socket transport with a bound on the connections it has accepted and not yet disposed, shared by every
/// listener: at the bound it stops accepting, and new connections wait in the kernel's listen queue (where they cost
/// the process no descriptor) until one closes, as HAProxy does at its maxconn. Why not Kestrel's own limit alone:
/// Kestrel accepts every connection and then closes those over MaxConcurrentConnections, so on a busy machine, where
/// the closes run later than the accepts, a flood of connections held more sockets than the descriptors kept for them
/// and the runtime aborted at the open-file limit ("Out of memory."). Kestrel's limit stays in force below this bound:
/// the connections between the two are accepted and closed at once, so clients over the limit still hear so quickly.
/// </summary>
internal sealed class AcceptLimitFactory(IConnectionListenerFactory transport, int maxAccepted) : IConnectionListenerFactory
{
    // Never disposed: connections still closing after the host's services are disposed give their slots back to it
    // (a SemaphoreSlim's Dispose frees only a wait handle, which this one never creates).
    private readonly SemaphoreSlim _slots = new(maxAccepted, maxAccepted);

    /// <summary>Connections accepted and not yet disposed, on every listener together.</summary>
    public int Accepted => maxAccepted - _slots.CurrentCount;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new AcceptLimitListener(await transport.BindAsync(endpoint, cancellationToken), _slots);
}
