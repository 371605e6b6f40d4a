using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>
/// Unsubscribed users: one number's state per SMS type with the explanation and the entries behind it (CheckAtTime at
/// now, ListEntries), and the opted-out list filtered by sender, app and date range, a page at a time from the index
/// (ListEntries' page tokens), with its CSV download (ExportEntries).
/// </summary>
internal sealed class UnsubscribedModel(TimeProvider time) : ConsolePage
{
    public const int PageSize = 50;

    public static readonly SmsType[] SmsTypes = [SmsType.Marketing, SmsType.Notification, SmsType.Verification, SmsType.Confirmation];

    [FromQuery(Name = "sender")]
    public string? Sender { get; set; }

    [FromQuery(Name = "app")]
    public string? App { get; set; }

    [FromQuery(Name = "from")]
    public string? From { get; set; }

    [FromQuery(Name = "to")]
    public string? To { get; set; }

    [FromQuery(Name = "page_token")]
    public string? PageToken { get; set; }

    [FromQuery(Name = "number")]
    public string? LookupNumber { get; set; }

    public List<(SmsType Type, CheckAtTimeResponse Answer)> Lookup { get; } = [];

    public List<Entry> LookupEntries { get; } = [];

    public ListEntriesResponse? List { get; private set; }

    public async Task OnGetAsync()
    {
        if (!string.IsNullOrWhiteSpace(LookupNumber))
        {
            await TryAsync(LookUpAsync);
        }

        await TryAsync(async () => List = await Admin.ListEntriesAsync(new ListEntriesRequest { Filter = Filter(), PageSize = PageSize, PageToken = PageToken ?? "" }));
    }

    public Task<IActionResult> OnGetCsvAsync() =>
        CsvDownload.RunAsync(this, (admin, ct) => admin.ExportEntries(new ExportEntriesRequest { Filter = Filter() }, cancellationToken: ct), "optouts");

    private async Task LookUpAsync()
    {
        var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        foreach (var type in SmsTypes)
        {
            var answer = await Admin.CheckAtTimeAsync(new CheckAtTimeRequest
            {
                Recipient = LookupNumber!.Trim(),
                Sender = Sender?.Trim() ?? "",
                App = App?.Trim() ?? "",
                SmsType = type,
                Time = now,
            });
            Lookup.Add((type, answer));
        }

        string? token = null;
        do
        {
            var page = await Admin.ListEntriesAsync(new ListEntriesRequest { Filter = new EntryFilter { Recipient = LookupNumber!.Trim() }, PageSize = 200, PageToken = token ?? "" });
            LookupEntries.AddRange(page.Entries);
            token = page.NextPageToken;
        }
        while (token.Length > 0 && LookupEntries.Count < 1000);
    }

    private EntryFilter Filter()
    {
        var filter = new EntryFilter { Kind = EntryKind.OptOut, Sender = Sender?.Trim() ?? "", App = App?.Trim() ?? "" };
        var start = ParseDate(From, endOfDay: false);
        var end = ParseDate(To, endOfDay: true);
        if (start is not null || end is not null)
        {
            filter.TimeRange = new TimeRange { StartTime = start, EndTime = end };
        }

        return filter;
    }
}
