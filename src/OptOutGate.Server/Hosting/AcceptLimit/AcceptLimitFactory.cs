using System.Net;
using Microsoft.AspNetCore.Connections;

namespace OptOutGate.Server.Hosting.AcceptLimit;

/// <summary>
/// Kestrel's socket transport held to a <see cref="ConnectionBudget"/> shared by every listener. Up to the connection
/// limit, connections go to Kestrel; over it, they are accepted and closed at once (counted, and reported in a summary);
/// and past the budget's bound on accepted sockets, nothing is accepted, so new connections wait in the kernel's
/// listen queue (where they cost the process no descriptor) until one closes, as HAProxy does at its maxconn. Why not
/// Kestrel's own limit: it accepts every connection and then closes those over MaxConcurrentConnections, logging a
/// line each, so on a busy machine, where the closes ran later than the accepts, a flood of connections held more
/// sockets than the descriptors kept for them and the runtime aborted at the open-file limit ("Out of memory.").
/// </summary>
internal sealed class AcceptLimitFactory(IConnectionListenerFactory transport, ConnectionBudget budget) : IConnectionListenerFactory
{
    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new AcceptLimitListener(await transport.BindAsync(endpoint, cancellationToken), budget);
}
