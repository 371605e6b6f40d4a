using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>
/// Records: every change, newest first, with reason, source, keyword, MO text and actor (ListHistory, a page at a time
/// by token), filtered by number, sender, app and date range; its CSV download (ExportHistory); and the point-in-time
/// check "was this number blocked at T?" (CheckAtTime).
/// </summary>
internal sealed class RecordsModel : FilteredListPage
{
    [FromQuery(Name = "number")]
    public string? Recipient { get; set; }

    [FromQuery(Name = "at")]
    public string? At { get; set; }

    [FromQuery(Name = "sms_type")]
    public SmsType AtSmsType { get; set; } = SmsType.Marketing;

    public ListHistoryResponse? List { get; private set; }

    public CheckAtTimeResponse? AtAnswer { get; private set; }

    public async Task OnGetAsync()
    {
        if (!string.IsNullOrWhiteSpace(At))
        {
            await TryAsync(async () => AtAnswer = await Admin.CheckAtTimeAsync(new CheckAtTimeRequest
            {
                Recipient = Recipient?.Trim() ?? "",
                Sender = SenderFilter,
                App = AppFilter,
                SmsType = AtSmsType,
                Time = ParseDate(At, endOfDay: false),
            }));
        }

        await TryAsync(async () => List = await Admin.ListHistoryAsync(new ListHistoryRequest
        {
            Filter = Filter(), PageSize = PageSize, PageToken = PageToken ?? "", NewestFirst = true,
        }));
    }

    public Task<IActionResult> OnGetCsvAsync() =>
        CsvDownload.RunAsync(this, (admin, ct) => admin.ExportHistory(new ExportHistoryRequest { Filter = Filter() }, cancellationToken: ct), "records");

    private HistoryFilter Filter()
    {
        var filter = new HistoryFilter { Recipient = Recipient?.Trim() ?? "", Sender = SenderFilter, App = AppFilter };
        filter.IncludeTenantWide = filter.Sender.Length > 0;
        filter.TimeRange = Range();

        return filter;
    }
}
