using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>
/// Webhook subscriptions: their delivery state (active, retrying, paused, failing), last error and cursor; create one
/// and see its test delivery's result and its secret (shown once); pause, resume, replay from a sequence, delete.
/// </summary>
internal sealed class WebhooksModel : ConsolePage
{
    public static readonly WebhookEventType[] EventTypes =
    [
        WebhookEventType.OptOut, WebhookEventType.OptIn, WebhookEventType.MoReply, WebhookEventType.ReviewItem,
        WebhookEventType.RemovalRequest, WebhookEventType.ProviderError, WebhookEventType.OtherChange,
    ];

    public ListWebhookSubscriptionsResponse? List { get; private set; }

    public CreateWebhookSubscriptionResponse? Created { get; private set; }

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostCreateAsync(string? url, string? description, List<WebhookEventType>? events)
    {
        await TryAsync(async () =>
        {
            var subscription = new WebhookSubscription { Url = url?.Trim() ?? "", Description = description ?? "" };
            subscription.EventTypes.AddRange(events ?? []);
            Created = await Admin.CreateWebhookSubscriptionAsync(new CreateWebhookSubscriptionRequest { Subscription = subscription });
        });
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostPauseAsync(string id, bool paused)
    {
        await TryAsync(async () =>
        {
            var updated = await Admin.UpdateWebhookSubscriptionAsync(new UpdateWebhookSubscriptionRequest
            {
                Subscription = new WebhookSubscription { Id = id, Paused = paused },
                UpdateMask = new FieldMask { Paths = { "paused" } },
            });
            Notice = $"Subscription {updated.Id} {(updated.Paused ? "paused" : "resumed")}.";
        });
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostReplayAsync(string id, ulong fromSequence)
    {
        await TryAsync(async () =>
        {
            var replayed = await Admin.ReplayWebhookSubscriptionAsync(new ReplayWebhookSubscriptionRequest { Id = id, FromSequence = fromSequence });
            Notice = $"Subscription {replayed.Id} replays from sequence {fromSequence}.";
        });
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(string id)
    {
        await TryAsync(async () =>
        {
            await Admin.DeleteWebhookSubscriptionAsync(new DeleteWebhookSubscriptionRequest { Id = id });
            Notice = $"Subscription {id} deleted.";
        });
        await LoadAsync();
        return Page();
    }

    private Task LoadAsync() =>
        TryAsync(async () => List = await Admin.ListWebhookSubscriptionsAsync(new ListWebhookSubscriptionsRequest()));
}
