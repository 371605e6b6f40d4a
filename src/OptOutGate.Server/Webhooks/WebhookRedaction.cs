using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// Blanks the secrets of webhook subscription records before they leave for anyone but a replica (Admin history, the
/// change stream of an admin key): a secret is shown once, at creation or rotation.
/// </summary>
internal static class WebhookRedaction
{
    public static ChangeRecord Redact(ChangeRecord record)
    {
        if (record.Config?.WebhookSubscription is not { } subscription || (subscription.Secret.Length == 0 && subscription.PreviousSecret.Length == 0))
        {
            return record;
        }

        var copy = record.Clone();
        copy.Config.WebhookSubscription.Secret = "";
        copy.Config.WebhookSubscription.PreviousSecret = "";
        return copy;
    }
}
