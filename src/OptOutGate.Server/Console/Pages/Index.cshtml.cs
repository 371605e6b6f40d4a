using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.WebConsole.Overview;
using OptOutGate.Server.Replication;

namespace OptOutGate.Server.WebConsole.Pages;

/// <summary>
/// The overview: opt-outs and opt-ins per day (from history), MO per minute (from the MO counter), the review queue's
/// size and oldest item, and on a replica its lag behind the primary.
/// </summary>
internal sealed class IndexModel(MoRate moRate, TimeProvider time) : ConsolePage
{
    public const int Days = 14;

    /// <summary>History records read for the chart at most (20 pages of 1,000): the page stays fast on a list of millions.</summary>
    public const int MaxRecords = 20_000;

    public DailyCounts? Daily { get; private set; }

    public long[] MoPerMinute { get; private set; } = [];

    public ulong ReviewOpen { get; private set; }

    public ReviewItem? OldestReview { get; private set; }

    public ReplicaLag? Lag { get; private set; }

    public async Task OnGetAsync()
    {
        MoPerMinute = moRate.PerMinute();
        Lag = HttpContext.RequestServices.GetService<ReplicaLag>();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(-(Days - 1));
        var daily = new DailyCounts(first, Days);
        await TryAsync(async () =>
        {
            var queue = await Admin.ListReviewQueueAsync(new ListReviewQueueRequest { PageSize = 1 });
            ReviewOpen = queue.TotalOpen;
            OldestReview = queue.Items.Count > 0 ? queue.Items[0] : null;

            var request = new ListHistoryRequest
            {
                Filter = new HistoryFilter
                {
                    TimeRange = new TimeRange { StartTime = Timestamp.FromDateTime(first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)) },
                    Actions = { ChangeAction.OptOut, ChangeAction.OptIn },
                },
                PageSize = 1000,
                NewestFirst = true,
            };
            var read = 0;
            while (true)
            {
                var page = await Admin.ListHistoryAsync(request);
                foreach (var record in page.Records)
                {
                    daily.Add(record);
                }

                read += page.Records.Count;
                if (page.NextPageToken.Length == 0)
                {
                    break;
                }

                if (read >= MaxRecords)
                {
                    daily.Partial = true;
                    break;
                }

                request.PageToken = page.NextPageToken;
            }
        });
        Daily = daily;
    }
}
