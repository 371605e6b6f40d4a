using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptOutGate.Server.Hosting.AcceptLimit;

namespace OptOutGate.Server.Tests.Hosting;

/// <summary>
/// The accept bound on Kestrel's real socket transport, on a loopback port: past the bound a connection waits in the
/// kernel's listen queue and is accepted only when an accepted one is disposed, on any listener of the factory.
/// </summary>
public sealed class AcceptLimitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PastTheBound_AConnectionIsAcceptedOnlyWhenAnAcceptedOneIsDisposed_OnAnyListener()
    {
        var factory = new AcceptLimitFactory(SocketTransport(), maxAccepted: 2);
        await using var first = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await using var second = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        using var clients = new Clients();

        await clients.ConnectAsync(first);
        var a = await first.AcceptAsync().AsTask().WaitAsync(Timeout);
        await clients.ConnectAsync(second);
        var b = await second.AcceptAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(2, factory.Accepted);

        // The kernel completes the handshake (the client is connected), but the gate does not take the socket.
        await clients.ConnectAsync(first);
        var waiting = first.AcceptAsync().AsTask();
        await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.False(waiting.IsCompleted, "a third connection was accepted with two slots taken");

        await b!.DisposeAsync();
        var c = await waiting.WaitAsync(Timeout);
        Assert.NotNull(c);
        Assert.Equal(2, factory.Accepted);

        await a!.DisposeAsync();
        await a.DisposeAsync();
        Assert.Equal(1, factory.Accepted);
        await c.DisposeAsync();
        Assert.Equal(0, factory.Accepted);
    }

    [Fact]
    public async Task UnboundWhileEverySlotIsTaken_AcceptEndsWithNoConnection_AndGivesNoSlotAway()
    {
        var factory = new AcceptLimitFactory(SocketTransport(), maxAccepted: 1);
        await using var listener = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        using var clients = new Clients();
        await clients.ConnectAsync(listener);
        var held = await listener.AcceptAsync().AsTask().WaitAsync(Timeout);

        var waiting = listener.AcceptAsync().AsTask();
        await listener.UnbindAsync();

        Assert.Null(await waiting.WaitAsync(Timeout));
        Assert.Equal(1, factory.Accepted);
        await held!.DisposeAsync();
        Assert.Equal(0, factory.Accepted);
    }

    private static SocketTransportFactory SocketTransport() =>
        new(Options.Create(new SocketTransportOptions()), NullLoggerFactory.Instance);

    private sealed class Clients : IDisposable
    {
        private readonly List<Socket> _sockets = [];

        public async Task ConnectAsync(IConnectionListener listener)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _sockets.Add(socket);
            await socket.ConnectAsync(listener.EndPoint).WaitAsync(Timeout);
        }

        public void Dispose()
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }
    }
}
