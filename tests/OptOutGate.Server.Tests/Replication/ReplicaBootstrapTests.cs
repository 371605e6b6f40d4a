using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Health.V1;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tenancy;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Replication;

/// <summary>
/// Bootstrap: a replica with an empty data folder loads the primary's snapshot at some N and follows from
/// N + 1 (or, with Replication:Bootstrap=Log, copies the whole log), survives a SIGKILL without a second snapshot,
/// and refuses, once and for good, to follow with a key that cannot read every tenant. Real processes throughout.
/// </summary>
[Collection(ReplicaBootstrapCollection.Name)]
public sealed class ReplicaBootstrapTests
{
    [Fact]
    public async Task EmptyReplicaDuringWrites_LoadsASnapshotAtN_ConvergesWithEntryDetails_AndAfterSigkillResumesFromItsCheckpoint()
    {
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis: null);
        using var p = new ReplicationClient(primary);
        await ReplicaNodes.WriteMixedAsync(p, 5_000, seed: 11);
        var data = Directory.CreateTempSubdirectory("optoutgate-replica-").FullName;

        ulong snapshot;
        ulong last;
        using (var writing = new CancellationTokenSource())
        {
            var background = ReplicaNodes.WriteMixedAsync(p, 1_000_000, seed: 12, writing.Token);
            var replica = await ReplicaNodes.StartReplicaAsync(primary, redis: null, data);
            using (var r = new ReplicationClient(replica))
            {
                snapshot = ReplicaNodes.SnapshotSequenceOf(replica);
                Assert.True(snapshot >= 5_000, $"expected a snapshot at 5,000 or later, got {snapshot}");
                Assert.Contains($"its log starts at sequence {snapshot + 1}", replica.Output, StringComparison.Ordinal);
                var older = await Assert.ThrowsAsync<RpcException>(() => r.ChangesAsync(snapshot, from: snapshot));
                Assert.Equal(StatusCode.OutOfRange, older.StatusCode);

                await r.WaitForSequenceAsync(await p.AppliedSequenceAsync(), TimeSpan.FromSeconds(30));
                await writing.CancelAsync();
                last = await background;
                Assert.True(last > snapshot, "the primary wrote on after the snapshot");
                await ReplicaNodes.AssertConvergedAsync(p, r, last);
                await replica.WaitForOutputAsync("Checkpoint at sequence", TimeSpan.FromSeconds(30));

                replica.Kill();
                await replica.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }

            await replica.DisposeAsync();
        }

        last = await ReplicaNodes.WriteMixedAsync(p, 1_000, seed: 13);
        await using var restarted = await ReplicaNodes.StartReplicaAsync(primary, redis: null, data);
        using var r2 = new ReplicationClient(restarted);

        await ReplicaNodes.AssertConvergedAsync(p, r2, last, snapshotSequence: snapshot);
        Assert.DoesNotContain("requesting the snapshot", restarted.Output, StringComparison.Ordinal);
        var opened = Regex.Match(restarted.Output, @"Gate engine open: checkpoint at sequence (\d+)");
        Assert.True(opened.Success && ulong.Parse(opened.Groups[1].Value, CultureInfo.InvariantCulture) >= snapshot, restarted.Output);
        Assert.Single(Regex.Matches(primary.Output, "Snapshot for "));
    }

    [Fact]
    public async Task LogBootstrap_CopiesTheWholeHistoryFromSequenceOne()
    {
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis: null);
        using var p = new ReplicationClient(primary);
        var last = await ReplicaNodes.WriteMixedAsync(p, 2_000, seed: 14);

        await using var replica = await ReplicaNodes.StartReplicaAsync(
            primary, redis: null, extra: new Dictionary<string, string> { ["Replication:Bootstrap"] = "Log" });
        using var r = new ReplicationClient(replica);

        var records = await ReplicaNodes.AssertConvergedAsync(p, r, last, snapshotSequence: 0);
        Assert.Equal(records[0], Assert.Single(await r.ChangesAsync(1, from: 1)));
        Assert.Contains("Replica following", replica.Output, StringComparison.Ordinal);
        Assert.Contains("from sequence 1 ", replica.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("requesting the snapshot", replica.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Snapshot for ", primary.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplicaKeyReadingSomeTenants_FailsFast_NotServing_OneErrorAndNoRetries()
    {
        var acmeOps = ApiKeyHash.NewKey();
        var globexOps = ApiKeyHash.NewKey();
        var partialReplica = ApiKeyHash.NewKey();
        await using var primary = await GateProcess.StartAsync(new Dictionary<string, string>
        {
            ["Replication:HeartbeatInterval"] = "00:00:00.2",
            ["Tenancy:Tenants:acme:Keys:ops:Hash"] = ApiKeyHash.ForConfiguration(acmeOps),
            ["Tenancy:Tenants:acme:Keys:ops:Roles:0"] = "admin",
            ["Tenancy:Tenants:acme:Keys:replica:Hash"] = ApiKeyHash.ForConfiguration(partialReplica),
            ["Tenancy:Tenants:acme:Keys:replica:Roles:0"] = "replica",
            ["Tenancy:Tenants:acme:Keys:replica:Tenants:0"] = "acme",
            ["Tenancy:Tenants:globex:Keys:ops:Hash"] = ApiKeyHash.ForConfiguration(globexOps),
            ["Tenancy:Tenants:globex:Keys:ops:Roles:0"] = "admin",
        });
        using var acme = new ReplicationClient(primary, acmeOps);
        using var globex = new ReplicationClient(primary, globexOps);
        var withKey = new Dictionary<string, string> { ["Replication:ApiKey"] = partialReplica };

        // The newest record is globex's: the snapshot at N hides it, and so does the stream of N.
        await acme.OptOutAsync(ReplicaNodes.Sender, ["+14155550101"]);
        await globex.OptOutAsync(ReplicaNodes.Sender, ["+14155550102"]);
        await using var atBootstrap = await ReplicaNodes.StartReplicaAsync(primary, redis: null, waitUntilServing: false, extra: withKey);
        await atBootstrap.WaitForOutputAsync("cannot read every tenant of the primary", TimeSpan.FromSeconds(60));

        // The newest record is acme's: the snapshot loads and the replica serves, until globex writes again.
        await acme.OptOutAsync(ReplicaNodes.Sender, ["+14155550103"]);
        await using var whileFollowing = await ReplicaNodes.StartReplicaAsync(primary, redis: null, extra: withKey);
        await globex.OptOutAsync(ReplicaNodes.Sender, ["+14155550104"]);
        await whileFollowing.WaitForOutputAsync("cannot read every tenant of the primary", TimeSpan.FromSeconds(60));
        await acme.OptOutAsync(ReplicaNodes.Sender, ["+14155550105"]);
        await globex.OptOutAsync(ReplicaNodes.Sender, ["+14155550106"]);

        foreach (var replica in new[] { atBootstrap, whileFollowing })
        {
            using var channel = GrpcChannel.ForAddress(replica.GrpcAddress);
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await HealthAsync(channel));
                await Task.Delay(100);
            }

            Assert.False(replica.HasExited);
            var error = Assert.Single(replica.Output.Split('\n'), l => l.Contains("cannot read every tenant", StringComparison.Ordinal));
            Assert.Contains("fail:", error, StringComparison.Ordinal);
            Assert.Contains("role replica and no Tenants list", error, StringComparison.Ordinal);
            Assert.DoesNotContain("retrying", replica.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("fetching it again", replica.Output, StringComparison.Ordinal);
        }

        Assert.Equal(2, Regex.Matches(primary.Output, "Snapshot for acme/replica").Count);
        Assert.Contains("Replica loaded a snapshot at sequence 3", whileFollowing.Output, StringComparison.Ordinal);
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> HealthAsync(GrpcChannel channel)
    {
        var response = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), ReplicationClient.Within(TimeSpan.FromSeconds(5)));
        return response.Status;
    }
}
