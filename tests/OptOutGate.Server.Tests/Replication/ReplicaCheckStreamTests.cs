using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Replication;

/// <summary>
/// A CheckStream opened on a replica while it serves must not outlive its freshness: when the replica falls behind its
/// lag bound, the stream ends with UNAVAILABLE instead of answering from the stale copy: dispatchers never get answers
/// from a stale copy.
/// </summary>
[Collection(ReplicaProcessesCollection.Name)]
public sealed class ReplicaCheckStreamTests
{
    [Fact]
    public async Task CheckStreamOnAReplica_EndsUnavailable_WhenTheReplicaFallsBehindItsBound()
    {
        await using var primary = await ReplicaNodes.StartPrimaryAsync(redis: null);
        await using var replica = await ReplicaNodes.StartReplicaAsync(
            primary, redis: null, extra: new Dictionary<string, string> { ["Replication:MaxLagMilliseconds"] = "1000" });
        using var p = new ReplicationClient(primary);
        using var r = new ReplicationClient(replica);
        var sequence = await p.OptOutAsync(ReplicaNodes.Sender, ["+14155550123"]);
        await r.WaitForSequenceAsync(sequence, TimeSpan.FromSeconds(30));

        using var call = r.GateClient.CheckStream(ReplicationClient.Within(TimeSpan.FromSeconds(60)));
        await call.RequestStream.WriteAsync(Request(1));
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(Verdict.BlockedOptedOut, call.ResponseStream.Current.Batch.Verdicts[0]);

        // A frozen primary sends no heartbeats: beyond the bound the replica stops serving, and the open stream ends.
        primary.Pause();
        try
        {
            var ended = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                while (await call.ResponseStream.MoveNext())
                {
                }
            });
            Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
            Assert.Contains("fell behind its primary", ended.Status.Detail, StringComparison.Ordinal);
        }
        finally
        {
            primary.Resume();
        }

        // Serving again: a new stream answers.
        await r.WaitForSequenceAsync(sequence, TimeSpan.FromSeconds(30));
        using var again = await OpenWhenServingAsync(r, TimeSpan.FromSeconds(30));
        await again.RequestStream.WriteAsync(Request(2));
        Assert.True(await again.ResponseStream.MoveNext());
        Assert.Equal(Verdict.BlockedOptedOut, again.ResponseStream.Current.Batch.Verdicts[0]);
        await again.RequestStream.CompleteAsync();
    }

    private static CheckStreamRequest Request(ulong id)
    {
        var batch = new CheckBatchRequest { Sender = ReplicaNodes.Sender, SmsType = SmsType.Marketing };
        batch.Recipients.Add("+14155550123");
        return new CheckStreamRequest { RequestId = id, Batch = batch };
    }

    /// <summary>Opens CheckStream once the replica serves again (UNAVAILABLE until then), within <paramref name="timeout"/>.</summary>
    private static async Task<AsyncDuplexStreamingCall<CheckStreamRequest, CheckStreamResponse>> OpenWhenServingAsync(ReplicationClient replica, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await replica.CheckAsync(ReplicaNodes.Sender, "+14155550123");
                return replica.GateClient.CheckStream(ReplicationClient.Within(TimeSpan.FromSeconds(60)));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
        }
    }
}
