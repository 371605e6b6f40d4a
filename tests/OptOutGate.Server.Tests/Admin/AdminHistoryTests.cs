using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>History by recipient, sender and date with page tokens, and the point-in-time check, on the real server.</summary>
public sealed class AdminHistoryTests
{
    private const string S1 = "+18005550100";
    private const string S2 = "+18005550111";

    [Fact]
    public async Task ListHistory_ByRecipientSenderAndDate_PagesThroughEveryRecordOnce()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new AdminClient(channel, null);
        var start = DateTime.UtcNow.AddSeconds(-1);
        for (var i = 0; i < 12; i++)
        {
            // Three records per round: two opt-outs (one of a recipient seen every third round) and a removal.
            var sender = i % 2 == 0 ? S1 : S2;
            var repeated = "+1415555010" + (i % 3);
            await admin.CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = sender, Recipients = { repeated, "+141555599" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture) } });
            await admin.CallAsync<RemoveOptOutsRequest, RemoveOptOutsResponse>("RemoveOptOuts", new RemoveOptOutsRequest { Sender = sender, Recipients = { repeated } });
        }

        var byRecipient = await ListAllAsync(admin, new HistoryFilter { Recipient = "+14155550100" }, newestFirst: false);
        var bySender = await ListAllAsync(admin, new HistoryFilter { Sender = S1 }, newestFirst: true);
        var byDate = await ListAllAsync(admin, new HistoryFilter { TimeRange = new TimeRange { StartTime = Timestamp.FromDateTime(start), EndTime = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(1)) } }, newestFirst: false);
        var future = await ListAllAsync(admin, new HistoryFilter { TimeRange = new TimeRange { StartTime = Timestamp.FromDateTime(DateTime.UtcNow.AddHours(1)) } }, newestFirst: false);

        Assert.Equal(8, byRecipient.Count);
        Assert.All(byRecipient, r => Assert.Equal("+14155550100", r.Recipient));
        Assert.Equal(byRecipient.Select(r => r.Sequence).Order(), byRecipient.Select(r => r.Sequence));
        Assert.Equal(18, bySender.Count);
        Assert.All(bySender, r => Assert.Equal(S1, r.Sender));
        Assert.Equal(bySender.Select(r => r.Sequence).OrderDescending(), bySender.Select(r => r.Sequence));
        Assert.Equal(36, byDate.Count);
        Assert.Equal(byDate.Select(r => r.Sequence).Distinct().Count(), byDate.Count);
        Assert.Empty(future);
    }

    [Fact]
    public async Task PageTokens_GarbageOrOtherFilters_AreInvalidArgument()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new AdminClient(channel, null);
        await admin.CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = S1, Recipients = { "+14155550100", "+14155550101", "+14155550102" } });
        var first = await admin.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Sender = S1 }, PageSize = 1 });
        Assert.NotEmpty(first.NextPageToken);

        var otherFilter = await admin.StatusOfAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Sender = S2 }, PageToken = first.NextPageToken });
        var otherOrder = await admin.StatusOfAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Sender = S1 }, NewestFirst = true, PageToken = first.NextPageToken });
        var garbage = await admin.StatusOfAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { PageToken = "not-a-token" });
        var entriesGarbage = await admin.StatusOfAsync<ListEntriesRequest, ListEntriesResponse>("ListEntries", new ListEntriesRequest { PageToken = first.NextPageToken });
        var negative = await admin.StatusOfAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { PageSize = -1 });

        Assert.Equal(StatusCode.InvalidArgument, otherFilter.StatusCode);
        Assert.Contains("page_token", otherFilter.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, otherOrder.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, garbage.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, entriesGarbage.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
    }

    [Fact]
    public async Task CheckAtTime_AnswersFromTheHistory()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new AdminClient(channel, null);
        const string r = "+14155550100";
        var before = DateTime.UtcNow.AddMilliseconds(-5);
        await admin.CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = S1, Recipients = { r } });
        await Task.Delay(20); // Distinct timestamps for "during" (a clock reading, not a wait for a condition).
        var during = DateTime.UtcNow;
        await Task.Delay(20);
        await admin.CallAsync<RemoveOptOutsRequest, RemoveOptOutsResponse>("RemoveOptOuts", new RemoveOptOutsRequest { Sender = S1, Recipients = { r } });

        var atBefore = await admin.CallAsync<CheckAtTimeRequest, CheckAtTimeResponse>("CheckAtTime", At(r, before));
        var atDuring = await admin.CallAsync<CheckAtTimeRequest, CheckAtTimeResponse>("CheckAtTime", At(r, during));
        var now = await admin.CallAsync<CheckAtTimeRequest, CheckAtTimeResponse>("CheckAtTime", At(r, DateTime.UtcNow));
        var future = await admin.StatusOfAsync<CheckAtTimeRequest, CheckAtTimeResponse>("CheckAtTime", At(r, DateTime.UtcNow.AddDays(1)));

        Assert.Equal(Verdict.Allowed, atBefore.Verdict);
        Assert.Equal(Verdict.BlockedOptedOut, atDuring.Verdict);
        Assert.Equal(r, atDuring.Explanation.Entry.Recipient);
        Assert.True(atDuring.Explanation.DefaultBlockingRule);
        Assert.Equal(Verdict.Allowed, now.Verdict);
        Assert.Equal(StatusCode.InvalidArgument, future.StatusCode);
    }

    private static CheckAtTimeRequest At(string recipient, DateTime time) =>
        new() { Recipient = recipient, Sender = S1, SmsType = SmsType.Marketing, Time = Timestamp.FromDateTime(time) };

    internal static async Task<List<ChangeRecord>> ListAllAsync(AdminClient admin, HistoryFilter filter, bool newestFirst)
    {
        var records = new List<ChangeRecord>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await admin.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = filter, PageSize = 3, PageToken = token, NewestFirst = newestFirst });
            records.AddRange(page.Records);
            token = page.NextPageToken;
            Assert.True(++pages < 100, "paging does not end");
        }
        while (token.Length != 0);

        return records;
    }
}
