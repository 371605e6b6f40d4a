using OptOutGate.Contracts.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Replication;

namespace OptOutGate.Server.Tests.Readiness;

/// <summary>
/// README "Damaged data": a primary whose change log is damaged refuses to serve, and is re-seeded from a healthy
/// replica without losing anything the replica holds. A replica that no longer hears its primary stops serving once
/// Replication:MaxLagMilliseconds has passed (it cannot know what it missed), so it is promoted first: restarted on its
/// folder as a primary. The damaged node's folder is moved aside, the node starts with an empty one as a replica of the
/// promoted node (snapshot bootstrap), and once caught up it is restarted as the primary.
/// </summary>
[Collection(ReplicaBootstrapCollection.Name)]
public sealed class ReseedTests
{
    private const int Written = 1_000;

    [Fact]
    public async Task DamagedPrimary_ReseededFromAHealthyReplica_BlocksEveryAcknowledgedOptOut_AndNumbersOn()
    {
        var recipients = Enumerable.Range(0, Written).Select(DamagedFolder.Recipient).ToArray();
        string primaryData;
        string healthyData;
        await using (var primary = await ReplicaNodes.StartPrimaryAsync(redis: null))
        await using (var healthy = await ReplicaNodes.StartReplicaAsync(primary, redis: null))
        {
            primaryData = primary.DataDirectory;
            healthyData = healthy.DataDirectory;
            using var channel = GrpcChannel.ForAddress(primary.GrpcAddress);
            var api = new GateApi(channel);
            foreach (var recipient in recipients)
            {
                await api.AddOptOutsAsync([recipient]);
            }

            // The replica has everything the primary acknowledged; then the primary's disk goes bad.
            using var replicaChannel = GrpcChannel.ForAddress(healthy.GrpcAddress);
            await WaitForHeadAsync(new GateApi(replicaChannel), Written);
            primary.Kill();
            await primary.WaitForExitAsync(TimeSpan.FromSeconds(30));
            var segment = LogSegment.FirstSegment(primaryData);
            LogSegment.FlipPayloadByte(segment, LogSegment.ReadRecords(segment)[499]);

            await using (var refusing = await Refusal.StartRefusingAsync(primaryData))
            {
                await Refusal.AssertRefusingAsync(refusing, "the records from sequence 500 on cannot be read");
            }

            // The healthy replica is promoted: stopped, then started on its folder as a primary.
            healthy.Terminate();
            await healthy.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, healthy.ExitCode);
        }

        await using (var promoted = await GateProcess.StartAsync(dataDirectory: healthyData))
        {
            // Re-seed: an empty folder, as a replica of the promoted node, until caught up; then stopped.
            var reseeded = Directory.CreateTempSubdirectory("optoutgate-reseed-").FullName;
            await using (var seeding = await ReplicaNodes.StartReplicaAsync(promoted, redis: null, reseeded))
            {
                using var seedingChannel = GrpcChannel.ForAddress(seeding.GrpcAddress);
                await WaitForHeadAsync(new GateApi(seedingChannel), Written);
                seeding.Terminate();
                await seeding.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.Equal(0, seeding.ExitCode);
            }

            primaryData = reseeded;
        }

        // The re-seeded folder runs as the primary: every acknowledged opt-out blocks, and numbering goes on.
        await using var restored = await GateProcess.StartAsync(dataDirectory: primaryData);
        using var restoredChannel = GrpcChannel.ForAddress(restored.GrpcAddress);
        var restoredApi = new GateApi(restoredChannel);
        var (verdicts, head) = await restoredApi.CheckAllAsync(recipients);
        Assert.All(verdicts, v => Assert.Equal(Verdict.BlockedOptedOut, v));
        Assert.Equal((ulong)Written, head);
        var next = await restoredApi.AddOptOutsAsync([DamagedFolder.Recipient(Written)]);
        Assert.Equal((ulong)Written + 1, next.Sequence);
    }

    /// <summary>Waits, on the node, until it has applied <paramref name="sequence"/> (CheckBatch's min_sequence waits for it).</summary>
    private static async Task WaitForHeadAsync(GateApi api, int sequence)
    {
        var response = await api.CheckBatchAsync(
            new CheckBatchRequest { Sender = GateApi.Sender, SmsType = SmsType.Marketing, MinSequence = (ulong)sequence }, TimeSpan.FromSeconds(60));
        Assert.True(response.Sequence >= (ulong)sequence);
    }
}
