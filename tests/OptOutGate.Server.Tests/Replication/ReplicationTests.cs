using Grpc.Health.V1;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Replication;

/// <summary>
/// Replication end to end: a real primary, real replicas and a real redis-server, as processes on loopback ports. Every
/// convergence check compares entries one by one (with their sequence numbers) and the change records 1..N that each
/// node serves from its own log, so a lost or doubled change shows up as a difference.
/// </summary>
[Collection(ReplicaProcessesCollection.Name)]
public sealed class ReplicationTests
{
    [Fact]
    public async Task Convergence_20000MixedChanges_ReplicaThroughRedisAndReplicaThroughStreamEqualPrimary()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis);
        await using var viaRedis = await ReplicaNodes.StartReplicaAsync(primary, redis);
        await using var viaStream = await ReplicaNodes.StartReplicaAsync(primary, redis: null);
        using var p = new ReplicationClient(primary);
        using var r1 = new ReplicationClient(viaRedis);
        using var r2 = new ReplicationClient(viaStream);

        var last = await ReplicaNodes.WriteMixedAsync(p, 20_000, seed: 1);

        Assert.True(last >= 20_000);
        var records = await ReplicaNodes.AssertConvergedAsync(p, r1, last);
        await ReplicaNodes.AssertConvergedAsync(p, r2, last);
        Assert.Contains(records, r => r.Source == Source.MoKeyword);
        Assert.Contains(records, r => r.Source == Source.Api && r.Action == ChangeAction.OptOutRemoved);
        Assert.Contains(records, r => r.Action == ChangeAction.Suppress);
        Assert.Contains("through redis", viaRedis.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisKilledMidBurstAndRestarted_ReplicaConvergesWithNothingLostOrDoubled()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis);
        await using var replica = await ReplicaNodes.StartReplicaAsync(primary, redis);
        using var p = new ReplicationClient(primary);
        using var r = new ReplicationClient(replica);
        await replica.WaitForOutputAsync("through redis", TimeSpan.FromSeconds(30));

        var burst = ReplicaNodes.WriteMixedAsync(p, 6_000, seed: 2);
        await r.WaitForSequenceAsync(1_000, TimeSpan.FromSeconds(30));
        await redis.KillAsync();
        await replica.WaitForOutputAsync("now follows through stream", TimeSpan.FromSeconds(30));
        await redis.RestartAsync();
        await burst;
        var last = await ReplicaNodes.WriteMixedAsync(p, 2_000, seed: 3);
        await replica.WaitForOutputAsync("now follows through redis", TimeSpan.FromSeconds(30));
        last = Math.Max(last, await ReplicaNodes.WriteMixedAsync(p, 1_000, seed: 4));

        await ReplicaNodes.AssertConvergedAsync(p, r, last);
    }

    [Fact]
    public async Task ReplicaKilledDuringWrites_RestartsFromItsCheckpointAndConverges()
    {
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis: null);
        using var p = new ReplicationClient(primary);
        var data = Directory.CreateTempSubdirectory("optoutgate-replica-").FullName;
        var replica = await ReplicaNodes.StartReplicaAsync(primary, redis: null, data);
        using (var r = new ReplicationClient(replica))
        {
            await ReplicaNodes.WriteMixedAsync(p, 3_000, seed: 5);
            var burst = ReplicaNodes.WriteMixedAsync(p, 3_000, seed: 6);
            await r.WaitForSequenceAsync(3_000, TimeSpan.FromSeconds(30));
            await replica.WaitForOutputAsync("Checkpoint", TimeSpan.FromSeconds(30));
            replica.Kill();
            await replica.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await replica.DisposeAsync();
            await burst;
        }

        await using var restarted = await ReplicaNodes.StartReplicaAsync(primary, redis: null, data);
        using var r2 = new ReplicationClient(restarted);
        var last = await ReplicaNodes.WriteMixedAsync(p, 1_000, seed: 7);

        await ReplicaNodes.AssertConvergedAsync(p, r2, last);
        var following = restarted.Output.Split('\n').First(l => l.Contains("Replica following", StringComparison.Ordinal));
        Assert.DoesNotContain("from sequence 1 ", following + " ", StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplicaFromEmptyFolderWhileWritesGoOn_BootstrapsAndConverges()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis);
        using var p = new ReplicationClient(primary);
        await ReplicaNodes.WriteMixedAsync(p, 5_000, seed: 8);

        using var writing = new CancellationTokenSource();
        var background = ReplicaNodes.WriteMixedAsync(p, 1_000_000, seed: 9, writing.Token);
        await using var replica = await ReplicaNodes.StartReplicaAsync(primary, redis);
        using var r = new ReplicationClient(replica);
        await r.WaitForSequenceAsync(await p.AppliedSequenceAsync(), TimeSpan.FromSeconds(30));
        await writing.CancelAsync();
        var last = await background;

        // Through the primary's snapshot (Replication:Bootstrap's default), then the change records after it.
        Assert.True(ReplicaNodes.SnapshotSequenceOf(replica) >= 5_000);
        await ReplicaNodes.AssertConvergedAsync(p, r, last);
    }

    [Fact]
    public async Task ReplicaBeyondItsLagBound_IsNotServingAndUnavailable_ThenRecovers()
    {
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis: null);
        await using var replica = await ReplicaNodes.StartReplicaAsync(
            primary, redis: null, extra: new Dictionary<string, string> { ["Replication:MaxLagMilliseconds"] = "1000" });
        using var p = new ReplicationClient(primary);
        using var r = new ReplicationClient(replica);
        var sequence = await p.OptOutAsync(ReplicaNodes.Sender, ["+14155550123"]);
        await r.WaitForSequenceAsync(sequence, TimeSpan.FromSeconds(30));

        // A frozen primary sends no heartbeats: the replica cannot know how far behind it is.
        primary.Pause();
        try
        {
            await WaitUntilAsync(async () => await HealthAsync(r.Channel) == HealthCheckResponse.Types.ServingStatus.NotServing, TimeSpan.FromSeconds(15));
            var refused = await Assert.ThrowsAsync<RpcException>(() => r.CheckAsync(ReplicaNodes.Sender, "+14155550123"));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Contains("behind its primary", refused.Status.Detail, StringComparison.Ordinal);
        }
        finally
        {
            primary.Resume();
        }

        await WaitUntilAsync(async () => await HealthAsync(r.Channel) == HealthCheckResponse.Types.ServingStatus.Serving, TimeSpan.FromSeconds(15));
        var answer = await r.CheckAsync(ReplicaNodes.Sender, "+14155550123");
        Assert.Equal(Verdict.BlockedOptedOut, answer.Verdicts[0]);
    }

    [Fact]
    public async Task WritesToReplica_AreRefusedNamingThePrimary_AndReadYourWriteWorksThroughIt()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis);
        await using var replica = await ReplicaNodes.StartReplicaAsync(primary, redis);
        using var p = new ReplicationClient(primary);
        using var r = new ReplicationClient(replica);

        var refused = await Assert.ThrowsAsync<RpcException>(() => r.OptOutAsync(ReplicaNodes.Sender, ["+14155550199"]));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains(primary.GrpcAddress, refused.Status.Detail, StringComparison.Ordinal);
        var mo = await Calls.CallEmptyAsync(r.Channel, MoReflection.Descriptor.Services[0].FindMethodByName("RecordMo"), TimeSpan.FromSeconds(10));
        Assert.Equal(StatusCode.FailedPrecondition, mo.StatusCode);
        var confirmation = new CheckBatchRequest { Sender = ReplicaNodes.Sender, SmsType = SmsType.Confirmation };
        confirmation.Recipients.Add("+14155551000"); // opted out below: its confirmation window is open

        for (var i = 0; i < 20; i++)
        {
            var recipient = "+1415555" + (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var sequence = await p.OptOutAsync(ReplicaNodes.Sender, [recipient]);
            var answer = await r.CheckAsync(ReplicaNodes.Sender, recipient, minSequence: sequence, timeout: TimeSpan.FromSeconds(10));
            Assert.Equal(Verdict.BlockedOptedOut, answer.Verdicts[0]);
            Assert.True(answer.Sequence >= sequence);
        }

        var status = await Assert.ThrowsAsync<RpcException>(() => r.GateClient.CheckBatchAsync(confirmation, ReplicationClient.Within(TimeSpan.FromSeconds(10))).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, status.StatusCode);
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> HealthAsync(GrpcChannel channel)
    {
        var response = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), ReplicationClient.Within(TimeSpan.FromSeconds(5)));
        return response.Status;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"The condition did not hold within {timeout.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }
}
