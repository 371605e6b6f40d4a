using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Mo;

/// <summary>
/// The reproductions 1-5 against the real server process, through the project's client: carriers deliver MO
/// late, twice and out of order, and their clocks drift; the recipient's last word decides, and only one confirmation
/// goes out (DESIGN.md "Handling an MO message", "Deciding a send").
/// </summary>
[Collection(MoProcessesCollection.Name)]
public sealed class MoOrderingTests
{
    private const string Other = "+18005550111";

    [Fact]
    public async Task Reproduction1_StopStopThenALateStart_StaysOptedOut_AndEveryEventIsHistory()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();
        const string r = "+14155550101";
        var now = DateTime.UtcNow;

        var first = await mo.RecordAsync(At(r, "STOP", "r1-a", now.AddSeconds(-180)));
        var second = await mo.RecordAsync(At(r, "STOP", "r1-b", now.AddSeconds(-60)));
        var start = await mo.RecordAsync(At(r, "START", "r1-c", now.AddSeconds(-120)));

        Assert.Equal(MoAction.OptedOut, first.Action);
        Assert.True(first.StateChanged);

        // The second STOP changes nothing but is recorded, so it outranks the older START that arrives after it.
        Assert.Equal(MoAction.OptedOut, second.Action);
        Assert.False(second.StateChanged);
        Assert.Equal("", second.ReplyText);
        Assert.True(second.Sequence > first.Sequence);

        Assert.Equal(MoAction.Superseded, start.Action);
        Assert.Equal(second.Sequence, start.SupersededBySequence);
        Assert.Equal("", start.ReplyText);
        Assert.Equal("START", start.MatchedKeyword);
        Assert.True(start.Sequence > second.Sequence);
        Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync(r, SmsType.Marketing));
        Assert.Equal(Verdict.BlockedOptedOut, await AtTimeAsync(mo, r, MoClient.Address, DateTime.UtcNow));

        var keywords = (await mo.HistoryAsync(r)).Where(h => h.Action is ChangeAction.OptOut or ChangeAction.OptIn).ToList();
        Assert.Equal(["r1-a", "r1-b", "r1-c"], keywords.Select(h => h.CarrierMessageId));
        Assert.Equal([KeywordEffect.Changed, KeywordEffect.Unchanged, KeywordEffect.Superseded], keywords.Select(h => h.KeywordEffect));
        Assert.Equal(second.Sequence, keywords[2].SupersededBySequence);
    }

    [Fact]
    public async Task Reproduction2_ACarrierClockAhead_CannotPutAStartAfterALaterStop()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();
        const string r = "+14155550102";

        await mo.RecordAsync(At(r, "STOP", "r2-a", DateTime.UtcNow.AddSeconds(-60)));
        var start = await mo.RecordAsync(At(r, "START", "r2-b", DateTime.UtcNow.AddSeconds(120)));
        Assert.Equal(MoAction.OptedIn, start.Action);

        // "Now" for the STOP is after the gate received the START: the recipient's last word is this STOP.
        var stop = await mo.RecordAsync(At(r, "STOP", "r2-c", DateTime.UtcNow));
        Assert.Equal(MoAction.OptedOut, stop.Action);
        Assert.True(stop.StateChanged);
        Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync(r, SmsType.Marketing));

        var startRecord = (await mo.HistoryAsync(r)).Single(h => h.CarrierMessageId == "r2-b" && h.Action == ChangeAction.OptIn);
        Assert.True(startRecord.EventTime <= startRecord.ReceiveTime, "the event time is never later than the receive time");
        Assert.True(startRecord.CarrierTime > startRecord.ReceiveTime, "the carrier's own time is kept");
        Assert.Contains("optoutgate_mo_carrier_time_ahead_total 1", await MetricsAsync(gate), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reproduction3_AStartWithNothingToLift_IsRecorded_AndALateOlderStopDoesNotWin()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();
        const string r = "+14155550103";
        var now = DateTime.UtcNow;

        var start = await mo.RecordAsync(At(r, "START", "r3-a", now.AddSeconds(-60)));
        Assert.Equal(MoAction.OptedIn, start.Action);
        Assert.False(start.StateChanged);
        Assert.Equal("", start.ReplyText);
        Assert.True(start.Sequence > 0);

        var stop = await mo.RecordAsync(At(r, "STOP", "r3-b", now.AddSeconds(-120)));
        Assert.Equal(MoAction.Superseded, stop.Action);
        Assert.Equal(start.Sequence, stop.SupersededBySequence);
        Assert.Equal("", stop.ReplyText);
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync(r, SmsType.Marketing));

        var history = await mo.HistoryAsync(r);
        Assert.Equal(["r3-a", "r3-b"], history.Select(h => h.CarrierMessageId));
    }

    [Fact]
    public async Task Reproduction4_StartAfterStopAll_SubscribesAgainAtThatAddressOnly()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();
        await mo.PutAddressAsync(Other);
        const string r = "+14155550104";

        var stopAll = await mo.RecordAsync(At(r, "STOPALL", "r4-a", DateTime.UtcNow.AddSeconds(-10)));
        Assert.Equal(MoAction.OptedOut, stopAll.Action);
        Assert.Equal(Scope.Tenant, stopAll.Scope);

        var start = await mo.RecordAsync(At(r, "START", "r4-b", DateTime.UtcNow));
        Assert.Equal(MoAction.OptedIn, start.Action);
        Assert.True(start.StateChanged);
        Assert.True(start.Sequence > stopAll.Sequence);
        Assert.Equal("You are subscribed again.", start.ReplyText);

        Assert.Equal(Verdict.Allowed, await mo.CheckAsync(r, SmsType.Marketing));
        Assert.Equal(Verdict.BlockedTenantOptOut, await mo.CheckAsync(r, SmsType.Marketing, Other));
        Assert.Equal(Verdict.BlockedTenantOptOut, await mo.CheckAsync(r, SmsType.Marketing, "ACME"));

        // The history says the same at this time (CheckAtTime replays it in event order).
        var asked = DateTime.UtcNow;
        Assert.Equal(Verdict.Allowed, await AtTimeAsync(mo, r, MoClient.Address, asked));
        Assert.Equal(Verdict.BlockedTenantOptOut, await AtTimeAsync(mo, r, Other, asked));

        // The tenant-wide record names no sender; the opt-in at the address is an entry of its own kind.
        var history = await mo.HistoryAsync(r);
        var tenantWide = history.Single(h => h.CarrierMessageId == "r4-a" && h.Action == ChangeAction.OptOut);
        Assert.Equal("", tenantWide.Sender);
        Assert.Equal(MoClient.Address, tenantWide.InboundAddress);
        Assert.True(history.Single(h => h.CarrierMessageId == "r4-b" && h.Action == ChangeAction.OptIn).LiftsTenantOptOut);
        var entries = await mo.AdminAsync<ListEntriesRequest, ListEntriesResponse>("ListEntries", new ListEntriesRequest { Filter = new EntryFilter { Recipient = r } });
        Assert.Contains(entries.Entries, e => e.Kind == EntryKind.AddressOptIn && e.Sender == MoClient.Address);

        // A later STOPALL blocks everywhere again; an older one delivered late changes nothing.
        await mo.RecordAsync(At(r, "STOP ALL", "r4-c", DateTime.UtcNow.AddSeconds(-600)));
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync(r, SmsType.Marketing));
        await mo.RecordAsync(At(r, "STOPALL", "r4-d", DateTime.UtcNow));
        Assert.Equal(Verdict.BlockedTenantOptOut, await mo.CheckAsync(r, SmsType.Marketing));

        // A sender filter leaves the tenant-wide records out unless include_tenant_wide.
        var bySender = await mo.AdminAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Sender = MoClient.Address, Recipient = r } });
        Assert.DoesNotContain(bySender.Records, h => h.Scope == Scope.Tenant);
        var withTenantWide = await mo.AdminAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Sender = MoClient.Address, Recipient = r, IncludeTenantWide = true } });
        Assert.Contains(withTenantWide.Records, h => h.CarrierMessageId == "r4-a");
    }

    [Fact]
    public async Task Reproduction5_TheReplyIsTheOneConfirmation_AndWithoutAReplyTheFirstCheckIs()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();
        const string r = "+14155550105";

        var stop = await mo.RecordAsync(At(r, "STOP", "r5-a", DateTime.UtcNow));
        Assert.Equal("You are unsubscribed.", stop.ReplyText);
        Assert.Equal(Verdict.BlockedConfirmation, await mo.CheckAsync(r, SmsType.Confirmation));
        var sent = (await mo.HistoryAsync(r)).Single(h => h.Action == ChangeAction.ConfirmationSent);
        Assert.Equal(Source.MoKeyword, sent.Source);
        Assert.Equal("You are unsubscribed.", sent.ReplyText);
        Assert.Equal("r5-a", sent.CarrierMessageId);

        // An address without reply texts: the gate hands out none, so the first CONFIRMATION checked is the one.
        await mo.AdminAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = Other } });
        var silent = await mo.RecordAsync(At(r, "STOP", "r5-b", DateTime.UtcNow, Other));
        Assert.Equal("", silent.ReplyText);
        Assert.True(silent.StateChanged);
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync(r, SmsType.Confirmation, Other));
        Assert.Equal(Verdict.BlockedConfirmation, await mo.CheckAsync(r, SmsType.Confirmation, Other));
        var checkSent = (await mo.HistoryAsync(r)).Single(h => h.Action == ChangeAction.ConfirmationSent && h.Sender == Other);
        Assert.Equal(Source.Check, checkSent.Source);
    }

    [Fact]
    public async Task AReplyHandedOut_StaysSpent_AfterARestart()
    {
        var first = await GateTestServer.StartAsync();
        const string r = "+14155550106";
        var mo = new MoClient(first.Channel);
        await mo.PutAddressAsync();
        Assert.NotEqual("", (await mo.RecordAsync(At(r, "STOP", "r6-a", DateTime.UtcNow))).ReplyText);

        await using var second = await first.RestartAsync();
        var again = second.Channel;
        Assert.Equal(Verdict.BlockedConfirmation, await new MoClient(again).CheckAsync(r, SmsType.Confirmation));
    }

    internal static MoMessage At(string from, string text, string id, DateTime carrierTime, string to = MoClient.Address) => new()
    {
        InboundAddress = to,
        FromNumber = from,
        Text = text,
        CarrierMessageId = id,
        CarrierTime = Timestamp.FromDateTime(DateTime.SpecifyKind(carrierTime, DateTimeKind.Utc)),
    };

    private static async Task<Verdict> AtTimeAsync(MoClient mo, string recipient, string sender, DateTime time) =>
        (await mo.AdminAsync<CheckAtTimeRequest, CheckAtTimeResponse>("CheckAtTime", new CheckAtTimeRequest
        {
            Recipient = recipient, Sender = sender, SmsType = SmsType.Marketing, Time = Timestamp.FromDateTime(time),
        })).Verdict;

    private static async Task<string> MetricsAsync(GateProcess gate)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(gate.MetricsAddress));
    }
}
