using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>The review queue of AMBIGUOUS messages, oldest first, due dates and overdue marks (ListReviewQueue); resolve with a note (ResolveReviewItem).</summary>
internal sealed class ReviewModel : ConsolePage
{
    [FromQuery(Name = "overdue")]
    public bool OverdueOnly { get; set; }

    [FromQuery(Name = "sender")]
    public string? Sender { get; set; }

    [FromQuery(Name = "page_token")]
    public string? PageToken { get; set; }

    public ListReviewQueueResponse? Queue { get; private set; }

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostResolveAsync(string id, ReviewResolution resolution, string? note)
    {
        await TryAsync(async () =>
        {
            var resolved = await Admin.ResolveReviewItemAsync(new ResolveReviewItemRequest { Id = id, Resolution = resolution, Note = note ?? "" });
            Notice = $"Review item {resolved.Item.Id} resolved: {ConsoleText.Name(resolved.Resolution)}.";
        });
        await LoadAsync();
        return Page();
    }

    private Task LoadAsync() =>
        TryAsync(async () => Queue = await Admin.ListReviewQueueAsync(new ListReviewQueueRequest
        {
            OverdueOnly = OverdueOnly, Sender = Sender?.Trim() ?? "", PageSize = 50, PageToken = PageToken ?? "",
        }));
}
