using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OptOutGate.Contracts.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Readiness;
using Xunit.Abstractions;

namespace OptOutGate.Server.Tests.Hosting;

/// <summary>
/// Connection floods against the real server process run under a set open-file limit (prlimit): 5,000 TCP
/// connections from one client, each sending 10 bytes of the HTTP/2 preface and then nothing. The server must stay
/// up, never hold more descriptors than it may, close every one of them within seconds (the keep-alive timeout also
/// bounds an unfinished preface), and serve normally afterwards. With 1,100 such connections under a 1,024 limit the
/// runtime used to print "Out of memory." and abort; later, with Kestrel's limit alone, it did so once more on a busy
/// machine, where the connections over the limit were closed more slowly than they came.
/// </summary>
[Collection(ConnectionFloodCollection.Name)]
public sealed class ConnectionFloodTests(ITestOutputHelper output)
{
    private const int Connections = 5_000;
    private static readonly byte[] s_partialPreface = Encoding.ASCII.GetBytes("PRI * HTTP");

    [Theory]
    [InlineData(1024, 256)]
    [InlineData(8192, 5632)]
    public async Task FiveThousandIdleConnections_UnderAnOpenFileLimit_AreClosedWithinSeconds_AndTheGateServesOn(int openFileLimit, int expectedMaxConnections)
    {
        await using var gate = await GateProcess.StartAsync(openFileLimit: openFileLimit);
        Assert.Contains(
            string.Create(CultureInfo.InvariantCulture, $"Connections: at most {expectedMaxConnections} at once (open-file limit {openFileLimit})"),
            gate.Output, StringComparison.Ordinal);
        Assert.Equal(openFileLimit, ReadOpenFileLimit(gate.ProcessId));

        var sockets = new List<Socket>(Connections);
        var before = CountDescriptors(gate.ProcessId);
        var maxDescriptors = 0;
        try
        {
            var opened = 0;
            var refused = 0;
            using (var connecting = new SemaphoreSlim(200))
            {
                var attempts = Enumerable.Range(0, Connections).Select(async _ =>
                {
                    await connecting.WaitAsync();
                    try
                    {
                        var socket = await TryConnectAsync(gate.Port);
                        if (socket is null)
                        {
                            Interlocked.Increment(ref refused);
                            return;
                        }

                        lock (sockets)
                        {
                            sockets.Add(socket);
                        }

                        Interlocked.Increment(ref opened);
                    }
                    finally
                    {
                        connecting.Release();
                    }
                });
                var all = Task.WhenAll(attempts);
                while (!all.IsCompleted)
                {
                    maxDescriptors = Math.Max(maxDescriptors, CountDescriptors(gate.ProcessId));
                    await Task.WhenAny(all, Task.Delay(100));
                }

                await all;
            }

            output.WriteLine($"limit {openFileLimit}: {opened} connections opened, {refused} refused at connect; server descriptors {before} before, at most {maxDescriptors} while connecting");
            Assert.False(gate.HasExited, "the gate died under the flood:\n" + gate.Output);

            // Every connection ends from the server's side: the ones over the limit at once, the others at the keep-alive timeout.
            var closing = sockets.Select(s => PeerClose.WaitAsync(s, TimeSpan.FromSeconds(60))).ToArray();
            while (closing.Any(c => !c.IsCompleted))
            {
                maxDescriptors = Math.Max(maxDescriptors, CountDescriptors(gate.ProcessId));
                await Task.WhenAny(Task.WhenAll(closing), Task.Delay(200));
            }

            var closed = closing.Count(c => c.Result);
            output.WriteLine($"  {closed} of {sockets.Count} closed by the server; server descriptors at most {maxDescriptors}");
            // Refusals are reported as a summary at most every 10 s, not a line each (5,000 lines of Kestrel's before).
            var lines = gate.Output.Split('\n');
            var kestrelLines = lines.Count(l => l.Contains("rejected because the maximum number of concurrent connections", StringComparison.Ordinal));
            var reports = lines.Count(l => l.Contains("Refusing connections: the gate is at its limit", StringComparison.Ordinal));
            output.WriteLine($"  {lines.Length} lines of gate output, {reports} refusal reports, {kestrelLines} lines of Kestrel's per refused connection");
            Assert.Equal(0, kestrelLines);
            Assert.InRange(reports, expectedMaxConnections < Connections ? 1 : 0, 10);
            Assert.Equal(sockets.Count, closed);
            Assert.True(maxDescriptors <= openFileLimit, $"the server held {maxDescriptors} descriptors under a limit of {openFileLimit}");

            // However slowly the connections over the limit are closed (a busy machine), the gate holds no more sockets
            // than the limit and the rejection margin, a quarter of the open-file limit (64 more for its own files).
            var bound = before + expectedMaxConnections + (openFileLimit / 4) + 64;
            Assert.True(maxDescriptors <= bound, $"the server held {maxDescriptors} descriptors, {before} before the flood: more than the {bound} its accept bound allows");
            Assert.False(gate.HasExited, "the gate died under the flood:\n" + gate.Output);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        // The gate is whole: it writes, answers and reports SERVING.
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var api = new GateApi(channel);
        var added = await api.AddOptOutsAsync(["+14155550123"]);
        var (verdicts, _) = await api.CheckAllAsync(["+14155550123", "+14155550124"]);
        Assert.Equal([Verdict.BlockedOptedOut, Verdict.Allowed], verdicts);
        Assert.True(added.Sequence >= 1);
        Assert.DoesNotContain("Out of memory", gate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxConnectionsBeyondTheOpenFileLimit_StopsTheStart_NamingBoth()
    {
        await using var gate = await GateProcess.StartAsync(
            new Dictionary<string, string> { ["Gate:MaxConnections"] = "2000" }, waitUntilServing: false, openFileLimit: 1024);

        await gate.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(OptOutGate.Server.Readiness.ExitCodes.Configuration, gate.ExitCode);
        Assert.Contains("Gate:MaxConnections 2000 needs more file descriptors than the process may open: its limit is 1024", gate.Output, StringComparison.Ordinal);
    }

    private static async Task<Socket?> TryConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
            await socket.SendAsync(s_partialPreface, SocketFlags.None);
            return socket;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            return null;
        }
    }

    private static int ReadOpenFileLimit(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        return int.Parse(line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
    }

    private static int CountDescriptors(int pid)
    {
        try
        {
            return Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
