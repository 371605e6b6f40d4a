using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Playwright;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Console;

/// <summary>
/// The review queue and the import through the browser, and every page over a tenant with data in it, each kept as a
/// screenshot (console-screenshots/ in the test output; a set is in docs/console/).
/// </summary>
public sealed class ConsolePagesTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private const string Sender = "+18005550401";

    private GateTestServer Server => fixture.Server;

    [Fact]
    public async Task ReviewQueue_AnAmbiguousMessage_IsResolvedWithANote()
    {
        const string Address = "+18005550402";
        const string From = "+14155554402";
        await Server.Admin.PutInboundAddressAsync(new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = Address } }, GateTestServer.Options(fixture.Keys.AcmeOperator));
        var mo = await RecordMoAsync(Address, From, "please cancel my appointment", "review-1");
        Assert.Equal(MoAction.Ambiguous, mo.Action);

        await using var console = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeOperator);
        await console.GotoAsync("/console/review?reveal=1&sender=" + Uri.EscapeDataString(Address));
        var row = console.Page.Locator("#queue tr", new PageLocatorOptions { HasText = From });
        Assert.Contains("please cancel my appointment", await row.TextContentAsync(), StringComparison.Ordinal);
        await row.Locator("input[name=note]").FillAsync("asked about a booking, not the texts");
        await row.Locator("button:has-text('Not an opt-out')").ClickAsync();
        Assert.Contains("NOT OPT OUT", await console.NoticeAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(From, await console.Page.TextContentAsync("#queue"), StringComparison.Ordinal);

        var history = await Server.Admin.ListHistoryAsync(
            new ListHistoryRequest { Filter = new HistoryFilter { Recipient = From } }, GateTestServer.Options(fixture.Keys.AcmeOperator));
        Assert.Contains(history.Records, r => r.Action == ChangeAction.ReviewDismissed && r.Reason == "asked about a booking, not the texts");
    }

    [Fact]
    public async Task Import_ShowsTheDryRunDiff_ThenAppliesIt()
    {
        const string Address = "+18005550403";
        var csv = "recipient,app\n+14155554031,\n+14155554032,shop\nnot-a-number,\n+14155554033,\n";
        await using var console = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeOperator);
        await console.GotoAsync("/console/import");
        await console.Page.SetInputFilesAsync("#file", new FilePayload { Name = "crm-export.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await console.Page.FillAsync("#sender", Address);
        await console.Page.FillAsync("#reason", "CRM export");
        await console.Page.ClickAsync("#upload button[type=submit]");
        await console.WaitForAsync("#would-add");

        // The dry run wrote nothing and shows each line: three to add, one invalid (its line number in the file, 4).
        Assert.Equal("3", await console.Page.TextContentAsync("#would-add"));
        var diff = await console.Page.TextContentAsync("#diff");
        Assert.Contains("INVALID", diff, StringComparison.Ordinal);
        var options = GateTestServer.Options(fixture.Keys.AcmeOperator);
        Assert.Empty((await Server.Admin.ListEntriesAsync(new ListEntriesRequest { Filter = new EntryFilter { Sender = Address } }, options)).Entries);
        await console.ScreenshotAsync("import-diff");

        await console.Page.ClickAsync("#apply button");
        await console.WaitForAsync("#import-done");
        Assert.Contains("3 added", await console.Page.TextContentAsync("#import-done"), StringComparison.Ordinal);
        var entries = (await Server.Admin.ListEntriesAsync(new ListEntriesRequest { Filter = new EntryFilter { Sender = Address } }, options)).Entries;
        Assert.Equal(["+14155554031", "+14155554032", "+14155554033"], entries.Select(e => e.Recipient).Order());
        Assert.All(entries, e => Assert.Equal(Source.Import, e.Source));
    }

    [Fact]
    public async Task EveryPage_RendersWithoutError_AndIsKeptAsAScreenshot()
    {
        var operatorKey = GateTestServer.Options(fixture.Keys.AcmeOperator);
        await Server.Admin.PutInboundAddressAsync(
            new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = Sender, Description = "Marketing short code" } }, operatorKey);
        await Server.Admin.PutBlockingRuleAsync(
            new PutBlockingRuleRequest { Rule = new BlockingRule { Sender = Sender, App = "shop", BlockedSmsTypes = { SmsType.Marketing, SmsType.Notification } } }, operatorKey);
        for (var i = 0; i < 6; i++)
        {
            await RecordMoAsync(Sender, "+1415555" + (4100 + i).ToString(CultureInfo.InvariantCulture), i % 3 == 2 ? "Unsubscribe" : "STOP", "pages-" + i);
        }

        await RecordMoAsync(Sender, "+14155554100", "START", "pages-start");
        await RecordMoAsync(Sender, "+14155554120", "can I cancel my order?", "pages-ambiguous");
        await Server.Admin.AddOptOutsAsync(
            new AddOptOutsRequest { Scope = Scope.SenderApp, Sender = Sender, App = "shop", Recipients = { "+14155554130", "+14155554131" }, Reason = "support ticket 4411" }, operatorKey);
        await Server.Admin.AddSuppressionsAsync(
            new AddSuppressionsRequest { Scope = Scope.Tenant, Recipients = { "+14155554140", "+14155554141" }, SmsTypes = { SmsType.Marketing }, Reason = "complaint" }, operatorKey);
        await Server.Admin.CreateRemovalRequestAsync(
            new CreateRemovalRequestRequest { Scope = Scope.SenderApp, Sender = Sender, App = "shop", Recipient = "+14155554130", Reason = "opted out by mistake" }, operatorKey);

        await using var console = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeOperator);
        (string Name, string Path)[] pages =
        [
            ("overview", "/console"),
            ("inbound-addresses", "/console/inbound"),
            ("inbound-address-edit", "/console/inbound/edit?sender=" + Uri.EscapeDataString(Sender)),
            ("unsubscribed-lookup", $"/console/unsubscribed?number=%2B14155554101&sender={Uri.EscapeDataString(Sender)}"),
            ("unsubscribed-list", "/console/unsubscribed?sender=" + Uri.EscapeDataString(Sender)),
            ("records", "/console/records?sender=" + Uri.EscapeDataString(Sender)),
            ("mute-list", "/console/mute"),
            ("removal-requests", "/console/removals"),
            ("review-queue", "/console/review"),
            ("import", "/console/import"),
            ("webhooks", "/console/webhooks"),
        ];
        // The embedded style sheet is served and applied: the side navigation has its width.
        Assert.Equal("220px", await console.Page.EvaluateAsync<string>("getComputedStyle(document.querySelector('nav.side')).width"));
        foreach (var (name, path) in pages)
        {
            var response = await console.GotoAsync(path);
            Assert.True(response is { Status: 200 }, $"{path}: HTTP {response?.Status}: {await console.Page.TextContentAsync("main")}");
            Assert.Equal(0, await console.Page.Locator("[role=alert]").CountAsync());
            await console.ScreenshotAsync(name);
        }

        await console.GotoAsync("/console/mute");
        await console.Page.FillAsync("#add-form input[name=reason]", "do not contact list");
        await console.Page.FillAsync("#numbers", "+14155554150\n+14155554151\n+1415555\n+14155554140");
        await console.Page.ClickAsync("#add-form button[type=submit]");
        await console.ScreenshotAsync("mute-results");

        await using var auditor = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeAuditor);
        await auditor.GotoAsync("/console/unsubscribed?sender=" + Uri.EscapeDataString(Sender));
        await auditor.ScreenshotAsync("read-only-unsubscribed");
    }

    private async Task<MoResult> RecordMoAsync(string address, string from, string text, string id) =>
        (await Server.Mo.RecordMoAsync(
            new RecordMoRequest { Message = new MoMessage { InboundAddress = address, FromNumber = from, Text = text, CarrierMessageId = id, CarrierTime = Timestamp.FromDateTime(DateTime.UtcNow) } },
            GateTestServer.Options(fixture.Keys.AcmeCarrier))).Result;
}
