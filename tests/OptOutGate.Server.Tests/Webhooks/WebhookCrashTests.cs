using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Mo;

namespace OptOutGate.Server.Tests.Webhooks;

/// <summary>The gate as a child process, SIGKILLed while a delivery is in flight: the restart resends only what was not acknowledged.</summary>
[Collection(DamagedMetadataProcessesCollection.Name)]
public sealed class WebhookCrashTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SigkillMidDelivery_RestartResendsOnlyTheUnacknowledgedEvents()
    {
        await using var receiver = await WebhookReceiver.StartAsync();

        // The third event POST is held unanswered: the gate is killed while it waits for the receiver.
        receiver.Answer = static (n, _) => n == 3 ? null : 200;
        var settings = WebhookDeliveryTests.FastRetries();
        var data = Directory.CreateTempSubdirectory("optoutgate-test-").FullName;
        var sequences = new List<ulong>();
        await using (var gate = await GateProcess.StartAsync(settings, data))
        {
            using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
            var hooks = new WebhookClient(channel);
            await new MoClient(channel).PutAddressAsync();
            await hooks.CreateAsync(receiver.Url, types: WebhookEventType.OptOut);
            for (var i = 0; i < 5; i++)
            {
                sequences.Add(await hooks.OptOutAsync(MoClient.Address, $"+1415555090{i}"));
            }

            await receiver.WaitUntilAsync(static r => r.Accepted.Count == 2 && r.Hanging == 1, Wait, "two events acknowledged and the third held");
            gate.Kill();
            await gate.WaitForExitAsync(Wait);
        }

        await using (var gate = await GateProcess.StartAsync(settings, data))
        {
            await receiver.WaitUntilAsync(r => r.Accepted.Count == 5, Wait, "every event after the restart");
        }

        // Acknowledged before the kill: sent once. The one in flight: sent again. The rest: once, in order.
        Assert.Equal(sequences, receiver.Accepted.SelectMany(static p => p.Sequences));
        Assert.Equal(
            [sequences[0], sequences[1], sequences[2], sequences[2], sequences[3], sequences[4]],
            receiver.StartedPosts.SelectMany(static p => p.Sequences));
        Directory.Delete(data, recursive: true);
    }
}
