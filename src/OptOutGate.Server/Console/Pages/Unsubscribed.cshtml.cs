using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>
/// Unsubscribed users: one number's state per SMS type with the explanation and the entries behind it (CheckAtTime at
/// now, ListEntries), and the opted-out list filtered by sender, app and date range, a page at a time from the index
/// (ListEntries' page tokens), with its CSV download (ExportEntries).
/// </summary>
internal sealed class UnsubscribedModel(TimeProvider time) : FilteredListPage
{
    public static readonly SmsType[] SmsTypes = [SmsType.Marketing, SmsType.Notification, SmsType.Verification, SmsType.Confirmation];

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
                Sender = SenderFilter,
                App = AppFilter,
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
        var filter = new EntryFilter { Kind = EntryKind.OptOut, Sender = SenderFilter, App = AppFilter };
        filter.TimeRange = Range();

        return filter;
    }
}
