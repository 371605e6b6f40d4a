using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Replication;

namespace OptOutGate.Server.Tests.Webhooks;

/// <summary>Subscriptions reach replicas (through the snapshot a new replica starts from, and the change stream); only the primary delivers.</summary>
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
}
