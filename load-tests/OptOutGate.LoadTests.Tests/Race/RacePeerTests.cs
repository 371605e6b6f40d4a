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
        var kind = RacePeerKind.Find(peerName)!;
        await using var peer = await RacePeer.StartAsync(kind, PeerExecutables.For(kind), 1, Dataset, "optoutgate:test", timeout.Token);
        await peer.LoadAsync(Dataset, space, timeout.Token);

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
}
