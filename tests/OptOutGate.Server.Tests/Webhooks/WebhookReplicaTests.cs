using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Replication;

namespace OptOutGate.Server.Tests.Webhooks;

/// <summary>
/// Subscriptions reach replicas (through the snapshot a new replica starts from, and the change stream); only the primary
/// delivers; a replica promoted to primary delivers what the old primary had not, at least once.
/// </summary>
[Collection(ReplicaProcessesCollection.Name)]
public sealed class WebhookReplicaTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ReplicaFromASnapshot_KnowsTheSubscription_ButOnlyThePrimaryDelivers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis: null);
        using var primaryChannel = GrpcChannel.ForAddress(primary.GrpcAddress);
        var onPrimary = new WebhookClient(primaryChannel);
        await onPrimary.Admin.PutInboundAddressAsync(new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = ReplicaNodes.Sender } }, onPrimary.Options());
        var id = (await onPrimary.CreateAsync(receiver.Url, types: WebhookEventType.OptOut)).Subscription.Id;
        var first = await onPrimary.OptOutAsync(ReplicaNodes.Sender, "+14155551201");
        await receiver.WaitUntilAsync(static r => r.Accepted.Count == 1, Wait, "the first event");

        // A replica with an empty folder starts from the primary's snapshot, which carries the subscription.
        await using var replica = await ReplicaNodes.StartReplicaAsync(primary, redis: null);
        Assert.Contains("Snapshot", primary.Output, StringComparison.Ordinal);
        using var replicaChannel = GrpcChannel.ForAddress(replica.GrpcAddress);
        var onReplica = new WebhookClient(replicaChannel);
        var known = await onReplica.GetAsync(id);
        Assert.Equal(receiver.Url, known.Url);
        Assert.Null(known.Status);
        Assert.Empty(known.Secret);
        var replay = await Assert.ThrowsAsync<RpcException>(() => onReplica.ReplayAsync(id, first));
        Assert.Equal(StatusCode.FailedPrecondition, replay.StatusCode);

        // Later writes reach the receiver once: from the primary, never again from the replica.
        var second = await onPrimary.OptOutAsync(ReplicaNodes.Sender, "+14155551202");
        await receiver.WaitUntilAsync(static r => r.Accepted.Count == 2, Wait, "the second event");
        using var replicaClient = new ReplicationClient(replica);
        await replicaClient.WaitForSequenceAsync(second, Wait);
        var third = await onPrimary.OptOutAsync(ReplicaNodes.Sender, "+14155551203");
        await receiver.WaitUntilAsync(static r => r.Accepted.Count == 3, Wait, "the third event");
        await replicaClient.WaitForSequenceAsync(third, Wait);
        Assert.Equal([first, second, third], receiver.StartedPosts.SelectMany(static p => p.Sequences));
    }

    [Fact]
    public async Task ReplicaPromotedAfterThePrimaryDied_ResumesAfterTheRecordedProgress_AndDeliversWhatThePrimaryHadNot()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var primary = await GateProcess.StartAsync(new Dictionary<string, string>
        {
            ["Replication:HeartbeatInterval"] = "00:00:00.2",
            ["Webhooks:ProgressInterval"] = "00:00:00.200",
        });
        using var primaryChannel = GrpcChannel.ForAddress(primary.GrpcAddress);
        var onPrimary = new WebhookClient(primaryChannel);
        var id = (await onPrimary.CreateAsync(receiver.Url, types: WebhookEventType.OptOut)).Subscription.Id;
        var delivered = await onPrimary.OptOutAsync(ReplicaNodes.Sender, "+14155551301");
        await receiver.WaitUntilAsync(static r => r.Accepted.Count == 1, Wait, "the first event");

        // The primary records how far the subscription's deliveries stand: a configuration record in its log.
        var progress = await WaitForProgressAsync(onPrimary, id, delivered);

        // A replica copies the whole log (so the first event is in its log too); then the receiver is down while two more
        // opt-outs commit: the primary holds them unacknowledged.
        string replicaData;
        ulong[] pending;
        await using (var replica = await ReplicaNodes.StartReplicaAsync(primary, redis: null, extra: new Dictionary<string, string> { ["Replication:Bootstrap"] = "Log" }))
        {
            replicaData = replica.DataDirectory;
            receiver.Answer = static (_, _) => 503;
            pending = [await onPrimary.OptOutAsync(ReplicaNodes.Sender, "+14155551302"), await onPrimary.OptOutAsync(ReplicaNodes.Sender, "+14155551303")];
            using var replicaClient = new ReplicationClient(replica);
            await replicaClient.WaitForSequenceAsync(Math.Max(progress, pending[^1]), Wait);
            await receiver.WaitUntilAsync(static r => r.Posts.Count(p => p.Status == 503) >= 1, Wait, "a refused delivery");

            // The primary dies; the replica is promoted: stopped, and started on its folder as the primary.
            primary.Kill();
            replica.Terminate();
            await replica.WaitForExitAsync(Wait);
        }

        receiver.Answer = static (_, _) => 200;
        await using var promoted = await GateProcess.StartAsync(dataDirectory: replicaData);
        using var promotedChannel = GrpcChannel.ForAddress(promoted.GrpcAddress);
        var after = await new WebhookClient(promotedChannel).OptOutAsync(ReplicaNodes.Sender, "+14155551304");

        // Every event the old primary had not delivered, and the new one, reach the receiver in order; the one it had
        // delivered (and recorded) is not sent again, although the promoted node's log holds it.
        ulong[] expected = [.. pending, after];
        await receiver.WaitUntilAsync(r => expected.All(s => r.Accepted.Any(p => p.Sequences.Contains(s))), Wait, "every undelivered event from the promoted node");
        Assert.Equal(expected, receiver.Accepted.SelectMany(static p => p.Sequences).Where(s => s > delivered).Distinct().ToList());
        Assert.Single(receiver.Accepted, p => p.Sequences.Contains(delivered));
    }

    /// <summary>The sequence of the primary's first progress record of the subscription at or past <paramref name="delivered"/>.</summary>
    private static async Task<ulong> WaitForProgressAsync(WebhookClient client, string id, ulong delivered)
    {
        using var limit = new CancellationTokenSource(Wait);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (true)
        {
            var history = await client.Admin.ListHistoryAsync(new ListHistoryRequest { PageSize = 1000, NewestFirst = true }, client.Options());
            foreach (var record in history.Records)
            {
                if (record.Config?.WebhookProgress is { } progress && progress.SubscriptionId == id && progress.DeliveredSequence >= delivered)
                {
                    Assert.Equal("gate:webhooks", record.ActorKeyId);
                    return record.Sequence;
                }
            }

            await timer.WaitForNextTickAsync(limit.Token);
        }
    }
}
