using System.Net;
using Microsoft.AspNetCore.Connections;

namespace OptOutGate.Server.Hosting.AcceptLimit;

/// <summary>
/// A listener that takes room in the <see cref="ConnectionBudget"/> before each accept: a connection within the limit
/// goes to Kestrel and gives its room back when disposed; one over the limit is closed here.
/// </summary>
internal sealed class AcceptLimitListener(IConnectionListener inner, ConnectionBudget budget) : IConnectionListener
{
    private readonly CancellationTokenSource _unbound = new();

    public EndPoint EndPoint => inner.EndPoint;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _unbound.Token))
            {
                try
                {
                    await budget.WaitToAcceptAsync(waiting.Token);
                }
                catch (OperationCanceledException) when (_unbound.IsCancellationRequested)
                {
                    // Unbound while no room was left: no more connections, as the inner listener would answer.
                    return null;
                }
            }

            ConnectionContext? connection;
            try
            {
                connection = await inner.AcceptAsync(cancellationToken);
            }
            catch
            {
                budget.Closed();
                throw;
            }

            if (connection is null)
            {
                budget.Closed();
                return null;
            }

            if (budget.TryOpen())
            {
                return new AcceptLimitConnection(connection, budget);
            }

            budget.Refused();
            _ = RefuseAsync(connection);
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _unbound.Cancel();
        return inner.UnbindAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _unbound.Cancel();
        await inner.DisposeAsync();
        _unbound.Dispose();
    }

    /// <summary>Closes a connection over the limit (a reset, nothing sent) and gives its room back once its socket is closed.</summary>
    private async Task RefuseAsync(ConnectionContext connection)
    {
        try
        {
            connection.Abort(new ConnectionAbortedException("The gate is at its connection limit."));
            await connection.DisposeAsync();
        }
#pragma warning disable CA1031 // A socket that fails to close is closed already as far as the budget goes.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            budget.Closed();
        }
    }
}
