using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Webhooks;

/// <summary>
/// Which webhook event types (admin_webhooks.proto) a history record belongs to, as a bit set (bit n = event type n),
/// so a delivery worker tests a record against its subscription with one AND. Pure: the same record always gives the
/// same set, on every node and after every restart.
/// </summary>
internal static class WebhookEvents
{
    /// <summary>Every defined event type.</summary>
    public const int All = (1 << (int)WebhookEventType.OptOut) | (1 << (int)WebhookEventType.OptIn) | (1 << (int)WebhookEventType.MoReply)
        | (1 << (int)WebhookEventType.ReviewItem) | (1 << (int)WebhookEventType.RemovalRequest) | (1 << (int)WebhookEventType.ProviderError)
        | (1 << (int)WebhookEventType.OtherChange);

    /// <summary>The mask of a subscription's event types.</summary>
    public static int MaskOf(IEnumerable<WebhookEventType> types)
    {
        var mask = 0;
        foreach (var type in types)
        {
            if (type is > WebhookEventType.Unspecified and <= WebhookEventType.OtherChange)
            {
                mask |= Bit(type);
            }
        }

        return mask;
    }

    /// <summary>The event types <paramref name="record"/> belongs to; 0 for records no subscription receives.</summary>
    public static int Of(ChangeRecord record)
    {
        var mask = 0;
        switch (record.Action)
        {
            case ChangeAction.OptOut:
            case ChangeAction.OptOutRemoved:
                mask |= Bit(WebhookEventType.OptOut);
                break;
            case ChangeAction.OptIn:
                mask |= Bit(WebhookEventType.OptIn);
                break;
            case ChangeAction.Ambiguous:
            case ChangeAction.MoReceived:
                break;
            case ChangeAction.ReviewDismissed:
                mask |= Bit(WebhookEventType.ReviewItem);
                break;
            case ChangeAction.RemovalRequested:
            case ChangeAction.RemovalApproved:
            case ChangeAction.RemovalRejected:
                mask |= Bit(WebhookEventType.RemovalRequest);
                break;
            case ChangeAction.ConfigPut:
            case ChangeAction.ConfigDelete:
                // A subscription's own records carry its secrets, and its progress records are the deliveries' own
                // bookkeeping: never delivered anywhere.
                if (record.Config?.ConfigCase is not (null or ConfigChange.ConfigOneofCase.None or ConfigChange.ConfigOneofCase.WebhookSubscription
                    or ConfigChange.ConfigOneofCase.WebhookProgress))
                {
                    mask |= Bit(WebhookEventType.OtherChange);
                }

                break;
            case ChangeAction.Suppress:
            case ChangeAction.Unsuppress:
            case ChangeAction.BypassAdd:
            case ChangeAction.BypassRemove:
            case ChangeAction.ConfirmationSent:
                mask |= Bit(WebhookEventType.OtherChange);
                break;
            default:
                break;
        }

        // An MO's own record (the only records with a carrier time; re-applied opt-ins and review resolutions have none).
        if (record.Source == Source.MoKeyword && record.CarrierTime is not null
            && record.Action is ChangeAction.OptOut or ChangeAction.OptIn or ChangeAction.Ambiguous or ChangeAction.MoReceived)
        {
            mask |= Bit(WebhookEventType.MoReply);
        }

        if (record.ReviewItemId.Length != 0)
        {
            mask |= Bit(WebhookEventType.ReviewItem);
        }

        if (record.Source == Source.RemovalApproved)
        {
            mask |= Bit(WebhookEventType.RemovalRequest);
        }

        if (record.Source == Source.ProviderError)
        {
            mask |= Bit(WebhookEventType.ProviderError);
        }

        return mask;
    }

    /// <summary>The event types of a mask, in enum order (the payload's <c>event_types</c>).</summary>
    public static IEnumerable<WebhookEventType> TypesOf(int mask)
    {
        for (var type = WebhookEventType.OptOut; type <= WebhookEventType.OtherChange; type++)
        {
            if ((mask & Bit(type)) != 0)
            {
                yield return type;
            }
        }
    }

    private static int Bit(WebhookEventType type) => 1 << (int)type;
}
