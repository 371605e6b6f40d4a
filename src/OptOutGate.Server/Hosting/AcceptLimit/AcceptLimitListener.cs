using System.Net;
using Microsoft.AspNetCore.Connections;

namespace OptOutGate.Server.Hosting.AcceptLimit;

/// <summary>A listener that takes a slot before each accept; the accepted connection gives it back when disposed.</summary>
internal sealed class AcceptLimitListener(IConnectionListener inner, SemaphoreSlim slots) : IConnectionListener
{
    private readonly CancellationTokenSource _unbound = new();

    public EndPoint EndPoint => inner.EndPoint;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _unbound.Token);
        try
        {
            await slots.WaitAsync(waiting.Token);
        }
        catch (OperationCanceledException) when (_unbound.IsCancellationRequested)
        {
            // Unbound while every slot was taken: no more connections, as the inner listener would answer.
            return null;
        }

        ConnectionContext? connection = null;
        try
        {
            connection = await inner.AcceptAsync(cancellationToken);
            return connection is null ? null : new AcceptLimitConnection(connection, slots);
        }
        finally
        {
            if (connection is null)
            {
                slots.Release();
            }
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
}
