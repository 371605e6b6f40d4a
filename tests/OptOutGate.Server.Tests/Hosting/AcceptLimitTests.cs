using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptOutGate.Server.Hosting.AcceptLimit;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Hosting;

/// <summary>
/// The connection budget on Kestrel's real socket transport, on loopback ports: connections within the limit go to
/// Kestrel, those over it are closed at once and counted, and past the bound on accepted sockets a connection waits in
/// the kernel's listen queue until an accepted one is closed, on any listener of the factory.
/// </summary>
public sealed class AcceptLimitTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Clients _clients = new();

    public void Dispose()
    {
        _clients.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task PastTheBound_AConnectionIsAcceptedOnlyWhenAnAcceptedOneIsClosed_OnAnyListener()
    {
        var budget = Budget(maxConnections: 2, rejectionMargin: 0);
        var factory = new AcceptLimitFactory(SocketTransport(), budget);
        await using var first = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await using var second = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));

        await _clients.ConnectAsync(first);
        var a = await first.AcceptAsync().AsTask().WaitAsync(Timeout);
        await _clients.ConnectAsync(second);
        var b = await second.AcceptAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal((2, 2), (budget.Accepted, budget.Open));

        // The kernel completes the handshake (the client is connected), but the gate does not take the socket.
        await _clients.ConnectAsync(first);
        var waiting = first.AcceptAsync().AsTask();
        await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.False(waiting.IsCompleted, "a third connection was accepted with no room left");

        await b!.DisposeAsync();
        var c = await waiting.WaitAsync(Timeout);
        Assert.NotNull(c);
        Assert.Equal((2, 2), (budget.Accepted, budget.Open));

        await a!.DisposeAsync();
        await a.DisposeAsync();
        Assert.Equal((1, 1), (budget.Accepted, budget.Open));
        await c.DisposeAsync();
        Assert.Equal((0, 0), (budget.Accepted, budget.Open));
    }

    [Fact]
    public async Task OverTheLimit_AConnectionIsClosedAtOnce_Counted_AndTheNextOneWithinItIsAccepted()
    {
        var budget = Budget(maxConnections: 1, rejectionMargin: 4);
        var factory = new AcceptLimitFactory(SocketTransport(), budget);
        await using var listener = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await _clients.ConnectAsync(listener);
        var held = await listener.AcceptAsync().AsTask().WaitAsync(Timeout);

        // The accept loop takes the next two and closes them: their clients read the end of the stream (or a reset).
        var next = listener.AcceptAsync().AsTask();
        Assert.True(await RefusedAsync(listener));
        Assert.True(await RefusedAsync(listener));
        Assert.Equal(2, budget.RefusedTotal);
        Assert.False(next.IsCompleted);

        await held!.DisposeAsync();
        var within = await _clients.ConnectAsync(listener);
        var accepted = await next.WaitAsync(Timeout);
        Assert.NotNull(accepted);
        Assert.Equal(1, budget.Open);
        await accepted.DisposeAsync();
        Assert.True(await PeerClose.WaitAsync(within, Timeout));
        Assert.Equal(2, budget.RefusedTotal);
    }

    [Fact]
    public async Task UnboundWhileNoRoomIsLeft_AcceptEndsWithNoConnection_AndGivesNoRoomAway()
    {
        var budget = Budget(maxConnections: 1, rejectionMargin: 0);
        var factory = new AcceptLimitFactory(SocketTransport(), budget);
        await using var listener = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await _clients.ConnectAsync(listener);
        var held = await listener.AcceptAsync().AsTask().WaitAsync(Timeout);

        var waiting = listener.AcceptAsync().AsTask();
        await listener.UnbindAsync();

        Assert.Null(await waiting.WaitAsync(Timeout));
        Assert.Equal(1, budget.Accepted);
        await held!.DisposeAsync();
        Assert.Equal(0, budget.Accepted);
    }

    [Fact]
    public void Refusals_AreReportedAtOnce_ThenAsOneSummaryPerInterval()
    {
        using var logs = new LogCapture();
        var time = new SteppedTime();
        var budget = new ConnectionBudget(256, 0, new Logger<ConnectionBudget>(new LoggerFactory([logs])), time, _services.GetRequiredService<IMeterFactory>());

        budget.Refused();
        for (var i = 0; i < 999; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
            budget.Refused();
        }

        Assert.Single(Reports(logs));
        Assert.Contains("the gate is at its limit of 256", Reports(logs)[0], StringComparison.Ordinal);

        // 1,000 refusals over 4.995 s, then 10 s after the first report: one more report, counting all since the first.
        time.Advance(TimeSpan.FromSeconds(5.005));
        budget.Refused();
        var reports = Reports(logs);
        Assert.Equal(2, reports.Length);
        Assert.Contains("1000 refused since the last report, 10 s ago", reports[1], StringComparison.Ordinal);
    }

    private static string[] Reports(LogCapture logs) =>
        logs.Describe(LogLevel.Warning).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("Refusing connections", StringComparison.Ordinal)).ToArray();

    private ConnectionBudget Budget(int maxConnections, int rejectionMargin) =>
        new(maxConnections, rejectionMargin, NullLogger<ConnectionBudget>.Instance, TimeProvider.System, _services.GetRequiredService<IMeterFactory>());

    private static SocketTransportFactory SocketTransport() =>
        new(Options.Create(new SocketTransportOptions()), NullLoggerFactory.Instance);

    /// <summary>
    /// Connects and waits until the gate has closed the connection: a reset may already end the connect (the gate
    /// accepted and closed the socket before this side saw the handshake end).
    /// </summary>
    private async Task<bool> RefusedAsync(IConnectionListener listener)
    {
        Socket socket;
        try
        {
            socket = await _clients.ConnectAsync(listener);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }

        return await PeerClose.WaitAsync(socket, Timeout);
    }

    private sealed class SteppedTime : TimeProvider
    {
        private long _now = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _now;

        public void Advance(TimeSpan by) => _now += by.Ticks;
    }

    private sealed class Clients : IDisposable
    {
        private readonly List<Socket> _sockets = [];

        public async Task<Socket> ConnectAsync(IConnectionListener listener)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _sockets.Add(socket);
            await socket.ConnectAsync(listener.EndPoint).WaitAsync(Timeout);
            return socket;
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
