using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Webhooks;

namespace OptOutGate.Engine.Tests.Webhooks;

public sealed class WebhookEventsTests
{
    private static readonly Timestamp Carrier = Timestamp.FromDateTime(new DateTime(2026, 1, 5, 12, 0, 0, DateTimeKind.Utc));

    [Fact]
    public void Records_BelongToTheEventTypesTheContractNames()
    {
        Assert.Equal([WebhookEventType.OptOut, WebhookEventType.MoReply], Types(new ChangeRecord { Action = ChangeAction.OptOut, Source = Source.MoKeyword, CarrierTime = Carrier }));
        Assert.Equal([WebhookEventType.OptIn, WebhookEventType.MoReply], Types(new ChangeRecord { Action = ChangeAction.OptIn, Source = Source.MoKeyword, CarrierTime = Carrier }));

        // A re-applied opt-in is a change, not an MO of its own.
        Assert.Equal([WebhookEventType.OptIn], Types(new ChangeRecord { Action = ChangeAction.OptIn, Source = Source.MoKeyword, LiftsTenantOptOut = true }));
        Assert.Equal([WebhookEventType.MoReply], Types(new ChangeRecord { Action = ChangeAction.MoReceived, Source = Source.MoKeyword, CarrierTime = Carrier }));
        Assert.Equal([WebhookEventType.MoReply, WebhookEventType.ReviewItem], Types(new ChangeRecord { Action = ChangeAction.Ambiguous, Source = Source.MoKeyword, CarrierTime = Carrier, ReviewItemId = "rv_1" }));
        Assert.Equal([WebhookEventType.OptOut, WebhookEventType.ReviewItem], Types(new ChangeRecord { Action = ChangeAction.OptOut, Source = Source.MoKeyword, ReviewItemId = "rv_1" }));
        Assert.Equal([WebhookEventType.ReviewItem], Types(new ChangeRecord { Action = ChangeAction.ReviewDismissed, Source = Source.Admin, ReviewItemId = "rv_1" }));
        Assert.Equal([WebhookEventType.RemovalRequest], Types(new ChangeRecord { Action = ChangeAction.RemovalRequested, Source = Source.Admin }));
        Assert.Equal([WebhookEventType.OptOut, WebhookEventType.RemovalRequest], Types(new ChangeRecord { Action = ChangeAction.OptOutRemoved, Source = Source.RemovalApproved }));
        Assert.Equal([WebhookEventType.OptOut, WebhookEventType.ProviderError], Types(new ChangeRecord { Action = ChangeAction.OptOut, Source = Source.ProviderError }));
        Assert.Equal([WebhookEventType.OtherChange], Types(new ChangeRecord { Action = ChangeAction.Suppress, Source = Source.Admin }));
        Assert.Equal([WebhookEventType.OtherChange], Types(new ChangeRecord { Action = ChangeAction.ConfigPut, Config = new ConfigChange { TenantPolicy = new TenantPolicy() } }));
    }

    [Fact]
    public void WebhookSubscriptionAndProgressRecords_AreNeverDelivered()
    {
        var record = new ChangeRecord { Action = ChangeAction.ConfigPut, Config = new ConfigChange { WebhookSubscription = new WebhookSubscriptionConfig { Secret = "whsec_x" } } };
        Assert.Equal(0, WebhookEvents.Of(record));
        record.Action = ChangeAction.ConfigDelete;
        Assert.Equal(0, WebhookEvents.Of(record));
        var progress = new ChangeRecord { Action = ChangeAction.ConfigPut, Config = new ConfigChange { WebhookProgress = new WebhookProgress { SubscriptionId = "wh_a", DeliveredSequence = 7 } } };
        Assert.Equal(0, WebhookEvents.Of(progress));
    }

    [Fact]
    public void EveryAction_BelongsToSomeType_ButTheSubscriptionsOwn()
    {
        foreach (var action in System.Enum.GetValues<ChangeAction>())
        {
            if (action is ChangeAction.Unspecified or ChangeAction.ConfigPut or ChangeAction.ConfigDelete)
            {
                continue;
            }

            Assert.True(WebhookEvents.Of(new ChangeRecord { Action = action, Source = Source.MoKeyword, CarrierTime = Carrier }) != 0, action.ToString());
        }
    }

    private static WebhookEventType[] Types(ChangeRecord record) => [.. WebhookEvents.TypesOf(WebhookEvents.Of(record))];
}
