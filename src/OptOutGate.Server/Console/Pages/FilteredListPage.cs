using Microsoft.AspNetCore.Mvc;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>A list page filtered by sender, app and a date range (whole days, UTC), read a page at a time by token.</summary>
internal abstract class FilteredListPage : ConsolePage
{
    /// <summary>Rows a page.</summary>
    public const int PageSize = 50;

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

    protected string SenderFilter => Sender?.Trim() ?? "";

    protected string AppFilter => App?.Trim() ?? "";

    /// <summary>From the start of <see cref="From"/> to the end of <see cref="To"/>; null when neither is set.</summary>
    protected TimeRange? Range()
    {
        var start = ParseDate(From, endOfDay: false);
        var end = ParseDate(To, endOfDay: true);
        return start is null && end is null ? null : new TimeRange { StartTime = start, EndTime = end };
    }
}
