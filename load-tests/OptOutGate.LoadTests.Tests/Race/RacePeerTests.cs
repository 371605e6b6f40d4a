using OptOutGate.LoadTests.Gate;
using OptOutGate.LoadTests.Race;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Tests.Race;

/// <summary>
/// The race's peer side against real servers: a redis-server and a garnet-server started on free ports, loaded with a
/// dataset through the race's own loader, then asked the race's own SMISMEMBER calls. Each answer must count exactly
/// the batch's opted-out members, or the race would compare the gate with a peer that does less work.
/// </summary>
public class RacePeerTests
{
    private const long Dataset = 30_000;

    public static TheoryData<string> Peers => ["redis", "garnet"];

    [Theory]
    [MemberData(nameof(Peers))]
    public async Task The_race_call_counts_each_batch_opted_out_members(string peerName)
    {
        Assert.True(LoadTestOptions.TryParse(["race", "--dataset", "30000", "--batch-size", "1000", "--opted-out-share", "0.02", "--batches", "16", "--connections", "2"], out var options, out var error), error);
        var space = new RecipientSpace(options.Seed);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var kind = RacePeerKind.Find(peerName)!;
        await using var peer = await RacePeer.StartAsync(kind, PeerExecutables.For(kind), options.Connections, Dataset, "optoutgate:test", timeout.Token);

        Assert.Equal(Dataset, await peer.LoadAsync(Dataset, space, timeout.Token));

        var pool = BatchPool.Create(options, space);
        var call = peer.CreateCall(pool);
        for (var worker = 0; worker < 4; worker++)
        {
            for (var sequence = 0; sequence < pool.Requests.Length; sequence++)
            {
                var result = await call(worker, sequence, timeout.Token);
                Assert.Equal(1000, result.Recipients);
                Assert.Equal(CheckScenario.AsExpected, result.Tag);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Peers))]
    public async Task Smismember_counts_members_and_nothing_else(string peerName)
    {
        var space = new RecipientSpace(7);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var peer = await StartLoadedAsync(peerName, space, timeout.Token);

        // Every member, every non-member, and a mix with a repeated member (counted each time it is asked).
        var members = Enumerable.Range(0, 1000).Select(i => space.Number(i * 29L)).ToList();
        var others = Enumerable.Range(0, 1000).Select(i => space.Number(RecipientSpace.AllowedStart + i)).ToList();
        Assert.Equal(1000, await peer.CountMembersAsync(members, timeout.Token));
        Assert.Equal(0, await peer.CountMembersAsync(others, timeout.Token));
        Assert.Equal(301, await peer.CountMembersAsync([.. members.Take(300), .. others.Take(500), members[0]], timeout.Token));
        Assert.Equal(1, await peer.CountMembersAsync([space.Number(Dataset - 1)], timeout.Token));
        Assert.Equal(0, await peer.CountMembersAsync([space.Number(Dataset)], timeout.Token));
    }

    [Theory]
    [MemberData(nameof(Peers))]
    public async Task A_peer_whose_port_another_process_took_starts_on_another(string peerName)
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var handedOut = new List<int>();
        int Ports()
        {
            var port = handedOut.Count == 0 ? takenPort : FreePort();
            handedOut.Add(port);
            return port;
        }

        var kind = RacePeerKind.Find(peerName)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var server = await PeerServerProcess.StartAsync(kind, PeerExecutables.For(kind), Dataset, Ports, timeout.Token);

        Assert.Equal(2, handedOut.Count);
        Assert.Equal(handedOut[1], server.Port);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_missing_server_is_a_clear_error_naming_the_install()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RacePeer.StartAsync(RacePeerKind.Garnet, "/nonexistent/garnet-server", 1, Dataset, "k", CancellationToken.None));

        Assert.Contains("dotnet tool install --tool-path .tools/garnet garnet-server --version 2.2.12", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Peers))]
    public async Task Commands_from_many_workers_each_get_their_own_reply_and_the_run_ends_off_the_reader(string peerName)
    {
        // 16 workers on one connection, each command asking for a different number of members, the workers continuing
        // on the connection's reader (as the race's do): a reply handed to the wrong command would show as a wrong count.
        var space = new RecipientSpace(7);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var peer = await StartLoadedAsync(peerName, space, timeout.Token);
        await using var connection = RespConnection.Connect("127.0.0.1", peer.Port);
        var others = Enumerable.Range(0, 50).Select(i => space.Number(RecipientSpace.AllowedStart + i)).ToList();
        var commands = Enumerable.Range(0, 41).Select(k => RespConnection.Encode("SMISMEMBER", peer.Key, [.. Enumerable.Range(0, k).Select(i => space.Number(i * 29L)), .. others])).ToArray();
        var wrong = 0;

        var run = await RunLoop.RunAsync(
            new RunSettings("resp", 16, TimeSpan.Zero, 1_600, TimeSpan.Zero, 0),
            async (worker, sequence, ct) =>
            {
                var k = (int)((worker + (sequence * 7)) % commands.Length);
                if (await connection.SendAsync(commands[k], continueOnReader: true, ct) != k)
                {
                    Interlocked.Increment(ref wrong);
                }

                return default;
            },
            timeout.Token);

        Assert.NotEqual("resp reader", Thread.CurrentThread.Name);
        Assert.Equal(1_600, run.Recorders.Sum(static r => r.Codes.GetValueOrDefault(Grpc.Core.StatusCode.OK)));
        Assert.Equal(0, wrong);
    }

    /// <summary>A peer on one connection, loaded with <see cref="Dataset"/> numbers of <paramref name="space"/>.</summary>
    private static async Task<RacePeer> StartLoadedAsync(string peerName, RecipientSpace space, CancellationToken cancellationToken)
    {
        var kind = RacePeerKind.Find(peerName)!;
        var peer = await RacePeer.StartAsync(kind, PeerExecutables.For(kind), 1, Dataset, "optoutgate:test", cancellationToken);
        try
        {
            await peer.LoadAsync(Dataset, space, cancellationToken);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }
}
