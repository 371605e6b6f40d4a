using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Mo;
using OptOutGate.Server.Tests.Tenancy;

namespace OptOutGate.Server.Tests.Webhooks;

/// <summary>A receiver that never answers holds up its own subscription only: not another tenant's deliveries, not CheckBatch, not MO acknowledgements.</summary>
public sealed class WebhookIsolationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ReceiverThatNeverAnswers_DelaysNeitherAnotherTenantsDeliveries_NorCheckBatch_NorMo()
    {
        await using var dead = await WebhookReceiver.StartAsync();
        dead.Answer = static (_, _) => null;
        await using var alive = await WebhookReceiver.StartAsync();
        var keys = new TestKeys();
        var settings = keys.Settings();
        foreach (var (key, value) in WebhookDeliveryTests.FastRetries())
        {
            settings[key] = value;
        }

        // Long enough that the held POST is still held when the test ends: everything below happens while it hangs.
        settings["Webhooks:RequestTimeout"] = "00:02:00";
        await using var gate = await GateTestServer.StartAsync(settings);
        var acme = new WebhookClient(gate.Channel, keys.AcmeOperator);
        var initech = new WebhookClient(gate.Channel, keys.InitechOperator);
        var acmeMo = new MoClient(gate.Channel, keys.AcmeCarrier);
        await acme.Admin.PutInboundAddressAsync(new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = MoClient.Address } }, acme.Options());
        await initech.Admin.PutInboundAddressAsync(new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = MoClient.Address } }, initech.Options());
        await acme.CreateAsync(dead.Url);
        await initech.CreateAsync(alive.Url, types: WebhookEventType.OptOut);

        await acme.OptOutAsync(MoClient.Address, "+14155551001");
        await dead.WaitUntilAsync(static r => r.Hanging == 1, Wait, "acme's first delivery to be held");

        var sequences = new List<ulong>();
        for (var i = 0; i < 3; i++)
        {
            sequences.Add(await initech.OptOutAsync(MoClient.Address, $"+1415555110{i}"));
        }

        await alive.WaitUntilAsync(r => r.Accepted.Count == 3, Wait, "initech's three events");
        Assert.Equal(sequences, alive.Accepted.SelectMany(static p => p.Sequences));

        // Checks and MO of the tenant whose receiver hangs are answered as ever.
        var check = await new GateRpcClient(gate.Channel).CheckBatchAsync(
            new CheckBatchRequest { Sender = MoClient.Address, SmsType = SmsType.Marketing, Recipients = { "+14155551001", "+14155551002" } },
            new CallOptions(new Metadata { { "authorization", "Bearer " + keys.AcmeDispatcher } }, DateTime.UtcNow.AddSeconds(30)));
        Assert.Equal([Verdict.BlockedOptedOut, Verdict.Allowed], check.Verdicts);
        var stop = await acmeMo.RecordAsync(MoClient.Message("+14155551003", "STOP", "iso-1"));
        Assert.Equal(MoAction.OptedOut, stop.Action);
        var help = await acmeMo.RecordAsync(MoClient.Message("+14155551004", "HELP", "iso-2"));
        Assert.NotEqual(0ul, help.Sequence);

        // All of it while acme's first POST is still held, and nothing else of acme's went out.
        Assert.Equal(1, dead.Hanging);
        Assert.Equal(1, dead.Started);
        var status = (await acme.Admin.ListWebhookSubscriptionsAsync(new ListWebhookSubscriptionsRequest(), acme.Options())).Subscriptions.Single().Status;
        Assert.Equal(WebhookDeliveryState.Active, status.State);
        Assert.True(status.CommittedSequence > status.DeliveredSequence);

        // And one tenant never sees the other's subscriptions.
        Assert.Single((await initech.Admin.ListWebhookSubscriptionsAsync(new ListWebhookSubscriptionsRequest(), initech.Options())).Subscriptions);
    }
}
