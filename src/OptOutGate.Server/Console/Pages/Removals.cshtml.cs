using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>
/// Removal requests: applied for from an opted-out number's row (CreateRemovalRequest), listed by state, approved or
/// rejected with a note by another key than the requester's (ReviewRemovalRequest enforces it, with its own message).
/// </summary>
internal sealed class RemovalsModel : ConsolePage
{
    [FromQuery(Name = "state")]
    public RemovalRequestState State { get; set; } = RemovalRequestState.Pending;

    [FromQuery(Name = "page_token")]
    public string? PageToken { get; set; }

    public ListRemovalRequestsResponse? List { get; private set; }

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostCreateAsync(Scope scope, string? sender, string? app, string? recipient, string? reason)
    {
        if (await TryAsync(async () =>
            {
                var created = await Admin.CreateRemovalRequestAsync(new CreateRemovalRequestRequest
                {
                    Scope = scope, Sender = sender ?? "", App = app ?? "", Recipient = recipient ?? "", Reason = reason ?? "",
                });
                Notice = $"Removal request {created.Id} for {ConsoleText.Mask(created.Recipient)} is pending review by another key.";
            }))
        {
            State = RemovalRequestState.Pending;
        }

        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostReviewAsync(string id, ReviewDecision decision, string? note)
    {
        await TryAsync(async () =>
        {
            var reviewed = await Admin.ReviewRemovalRequestAsync(new ReviewRemovalRequestRequest { Id = id, Decision = decision, Note = note ?? "" });
            Notice = $"Removal request {reviewed.Id}: {ConsoleText.Name(reviewed.State)}.";
        });
        await LoadAsync();
        return Page();
    }

    private Task LoadAsync() =>
        TryAsync(async () => List = await Admin.ListRemovalRequestsAsync(new ListRemovalRequestsRequest { State = State, PageSize = 50, PageToken = PageToken ?? "" }));
}
