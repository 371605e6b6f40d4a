using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Changes;

/// <summary>
/// The Changes service as a replica or an operator's tool calls it, on the real gate in the test process: the change
/// stream follows live commits with heartbeats, refuses a reversed range, and a snapshot names its sequence. (The
/// replicas that follow it, as processes with Redis, are Replication/.)
/// </summary>
public sealed class ChangeStreamTests
{
    private const string Sender = "12345";

    [Fact]
    public async Task StreamChanges_FollowsLiveCommitsWithHeartbeats_AndRejectsAReversedRange()
    {
        await using var gate = await GateTestServer.StartAsync(new Dictionary<string, string> { ["Replication:HeartbeatInterval"] = "00:00:00.2" });
        var first = await OptOutAsync(gate, ["+14155550001", "+14155550002"]);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = gate.Changes.StreamChanges(
            new StreamChangesRequest { FromSequence = 1, HeartbeatInterval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)) },
            cancellationToken: cts.Token);
        var seen = new List<ulong>();
        var heartbeats = 0;
        ulong written = 0;
        while (await call.ResponseStream.MoveNext(cts.Token))
        {
            var message = call.ResponseStream.Current;
            seen.AddRange(message.Records.Select(x => x.Sequence));
            if (message.Records.Count == 0)
            {
                heartbeats++;
                var sent = seen.Count == 0 ? 0UL : seen[^1];
                if (written == 0)
                {
                    Assert.Equal(sent, message.CommittedSequence);
                    written = await OptOutAsync(gate, ["+14155550003"]);
                }
                else
                {
                    // The heartbeat says what is committed when it is sent (changes.proto): a commit racing it can be
                    // named before its record arrives in the next message.
                    Assert.InRange(message.CommittedSequence, sent, written);
                }
            }

            if (written != 0 && seen.Count > 0 && seen[^1] >= written)
            {
                break;
            }
        }

        await cts.CancelAsync();
        Assert.Equal(Enumerable.Range(1, (int)written).Select(i => (ulong)i), seen);
        Assert.True(heartbeats >= 1 && first == 2);

        using var reversed = gate.Changes.StreamChanges(new StreamChangesRequest { FromSequence = 3, ToSequence = 2 }, GateTestServer.Options(timeout: TimeSpan.FromSeconds(10)));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await reversed.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OutOfRange, error.StatusCode);

        using var snapshot = gate.Changes.GetSnapshot(new GetSnapshotRequest(), GateTestServer.Options(timeout: TimeSpan.FromSeconds(10)));
        var items = new List<SnapshotItem>();
        ulong snapshotSequence = 0;
        while (await snapshot.ResponseStream.MoveNext())
        {
            snapshotSequence = snapshot.ResponseStream.Current.Sequence;
            items.AddRange(snapshot.ResponseStream.Current.Items);
        }

        Assert.Equal(written, snapshotSequence);
        Assert.Equal(3, items.Count(i => i.ItemCase == SnapshotItem.ItemOneofCase.Entry));
    }

    private static async Task<ulong> OptOutAsync(GateTestServer gate, IEnumerable<string> recipients)
    {
        var request = new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Reason = "change stream test" };
        request.Recipients.AddRange(recipients);
        var response = await gate.Admin.AddOptOutsAsync(request, GateTestServer.Options()).ResponseAsync;
        return response.Sequence;
    }
}
