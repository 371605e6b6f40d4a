using Google.Protobuf.Collections;
using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>
/// The mute list (suppressions) and bypasses: many numbers at once, one a line, with each line's result
/// (Add/RemoveSuppressions, Add/RemoveBypasses answer per recipient); the list of either kind, a page at a time, with
/// a delete button per row.
/// </summary>
internal sealed class MuteModel : ConsolePage
{
    /// <summary>One request's recipients at most, as the Admin API takes them; more lines are refused with its message.</summary>
    public const int PageSize = 50;

    [FromQuery(Name = "kind")]
    public EntryKind Kind { get; set; } = EntryKind.Suppression;

    [FromQuery(Name = "number")]
    public string? Recipient { get; set; }

    [FromQuery(Name = "page_token")]
    public string? PageToken { get; set; }

    public ListEntriesResponse? List { get; private set; }

    /// <summary>The last write's per-line results, in the order of the lines.</summary>
    public RepeatedField<RecipientResult>? Results { get; private set; }

    public string? ResultsTitle { get; private set; }

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostAddAsync(EntryKind kind, Scope scope, string? sender, string? app, List<SmsType>? smsTypes, string? reason, string? numbers)
    {
        Kind = kind;
        var recipients = Lines(numbers);
        await TryAsync(async () =>
        {
            Results = kind == EntryKind.Bypass
                ? (await Admin.AddBypassesAsync(Fill(new AddBypassesRequest { Scope = scope, Sender = sender ?? "", App = app ?? "", Reason = reason ?? "" }, recipients, smsTypes))).Results
                : (await Admin.AddSuppressionsAsync(Fill(new AddSuppressionsRequest { Scope = scope, Sender = sender ?? "", App = app ?? "", Reason = reason ?? "" }, recipients, smsTypes))).Results;
            ResultsTitle = $"Added {recipients.Count} line(s) to the {(kind == EntryKind.Bypass ? "bypasses" : "mute list")}";
        });
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(EntryKind kind, Scope scope, string? sender, string? app, string? reason, string? numbers)
    {
        Kind = kind;
        var recipients = Lines(numbers);
        await TryAsync(async () =>
        {
            if (kind == EntryKind.Bypass)
            {
                var request = new RemoveBypassesRequest { Scope = scope, Sender = sender ?? "", App = app ?? "", Reason = reason ?? "" };
                request.Recipients.AddRange(recipients);
                Results = (await Admin.RemoveBypassesAsync(request)).Results;
            }
            else
            {
                var request = new RemoveSuppressionsRequest { Scope = scope, Sender = sender ?? "", App = app ?? "", Reason = reason ?? "" };
                request.Recipients.AddRange(recipients);
                Results = (await Admin.RemoveSuppressionsAsync(request)).Results;
            }

            ResultsTitle = $"Deleted {recipients.Count} line(s) from the {(kind == EntryKind.Bypass ? "bypasses" : "mute list")}";
        });
        await LoadAsync();
        return Page();
    }

    private Task LoadAsync() =>
        TryAsync(async () => List = await Admin.ListEntriesAsync(new ListEntriesRequest
        {
            Filter = new EntryFilter { Kind = Kind, Recipient = Recipient?.Trim() ?? "" },
            PageSize = PageSize,
            PageToken = PageToken ?? "",
        }));

    /// <summary>One number a line; blank lines skipped, each kept as written so its result names it.</summary>
    private static List<string> Lines(string? text)
    {
        var lines = new List<string>();
        foreach (var line in (text ?? "").Split('\n'))
        {
            var number = line.Trim();
            if (number.Length > 0)
            {
                lines.Add(number);
            }
        }

        return lines;
    }

    private static AddSuppressionsRequest Fill(AddSuppressionsRequest request, List<string> recipients, List<SmsType>? types)
    {
        request.Recipients.AddRange(recipients);
        request.SmsTypes.AddRange(types ?? []);
        return request;
    }

    private static AddBypassesRequest Fill(AddBypassesRequest request, List<string> recipients, List<SmsType>? types)
    {
        request.Recipients.AddRange(recipients);
        request.SmsTypes.AddRange(types ?? []);
        return request;
    }
}
