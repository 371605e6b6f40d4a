using System.Globalization;
using Microsoft.Playwright;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Webhooks;

namespace OptOutGate.Server.Tests.Console;

/// <summary>
/// The web console driven in a real browser (headless Chromium) against the real gate: sign-in, the pages' writes
/// seen through gRPC, gRPC's writes seen on the pages, per-line results, CSV downloads, and the refusals (a wrong key,
/// a read-only key, a post without its antiforgery token).
/// </summary>
public sealed class ConsoleBrowserTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private GateTestServer Server => fixture.Server;

    [Fact]
    public async Task SignIn_AWrongKeyIsRefused_AndTheRightKeyOpensTheOverview()
    {
        var context = await fixture.Browser.NewContextAsync(Server.HttpAddress!);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        Assert.EndsWith("/console/signin?ReturnUrl=%2Fconsole", page.Url, StringComparison.Ordinal);

        await page.FillAsync("#key", "not-a-key-of-this-server-0123456789abcdef");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"), r => r.Request.Method == "POST");
        Assert.Equal(401, refused.Status);
        Assert.Contains("Unknown API key", await page.TextContentAsync("[role=alert]"), StringComparison.Ordinal);
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "OptOutGate.Console");

        // A key without the admin or read role is refused too, with what it lacks.
        await page.FillAsync("#key", fixture.Keys.AcmeDispatcher);
        await page.ClickAsync("button[type=submit]");
        Assert.Contains("neither the admin nor the read role", await page.TextContentAsync("[role=alert]"), StringComparison.Ordinal);

        await page.FillAsync("#key", fixture.Keys.AcmeOperator);
        await page.ClickAsync("button[type=submit]");
        await page.Locator("main.content h1", new PageLocatorOptions { HasText = "Overview" }).WaitForAsync();
        Assert.EndsWith("/console", page.Url, StringComparison.Ordinal);
        Assert.Contains("operator", await page.TextContentAsync("nav .who"), StringComparison.Ordinal);

        // The cookie names a session: the key is in no cookie.
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "OptOutGate.Console");
        Assert.DoesNotContain(fixture.Keys.AcmeOperator, cookie.Value, StringComparison.Ordinal);
        Assert.True(cookie.HttpOnly);

        // Sign-out ends the session: the next page asks for a key again.
        await page.ClickAsync("nav .who button");
        await page.Locator("#key").WaitForAsync();
        await page.GotoAsync("/console/records");
        Assert.Contains("/console/signin", page.Url, StringComparison.Ordinal);
        await context.CloseAsync();
    }

    [Fact]
    public async Task InboundAddress_AddedInTheConsole_IsTheGatesAddress_WithItsKeywordsAndRules()
    {
        const string Sender = "+18005550201";
        await using var console = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeOperator);
        await console.GotoAsync("/console/inbound");
        await console.Page.FillAsync("#sender", Sender);
        await console.Page.FillAsync("#description", "support line");
        await console.Page.ClickAsync("#add-address button");
        await console.Page.Locator("#address-form").WaitForAsync();

        // A keyword of its own beside the defaults, in Spanish, leading match, and a reply text in Spanish.
        var blank = console.Page.Locator("#keywords tr.new-keyword").First;
        await blank.Locator("input[name$='.Text']").FillAsync("BASTA");
        await blank.Locator("select[name$='.Mode']").SelectOptionAsync("Leading");
        await blank.Locator("input[name$='.Language']").FillAsync("es");
        var reply = console.Page.Locator("#replies tr.new-reply").First;
        await reply.Locator("input[name$='.Language']").FillAsync("es");
        await reply.Locator("input[name$='.OptOut']").FillAsync("Baja confirmada.");
        await console.Page.FillAsync("#defaultLanguage", "es");
        await console.Page.ClickAsync("#address-form button[type=submit]");
        Assert.Contains("Saved", await console.NoticeAsync(), StringComparison.Ordinal);

        var admin = Server.Admin;
        var options = GateTestServer.Options(fixture.Keys.AcmeOperator);
        var address = await admin.GetInboundAddressAsync(new GetInboundAddressRequest { Sender = Sender }, options);
        Assert.Equal("support line", address.Description);
        var basta = Assert.Single(address.Keywords, k => k.Text == "BASTA");
        Assert.Equal(MatchMode.Leading, basta.MatchMode);
        Assert.Equal("es", basta.LanguageCode);
        Assert.Equal("Baja confirmada.", Assert.Single(address.ReplyTexts).OptOutText);

        await console.Page.FillAsync("#rule-form #app", "shop");
        await console.Page.CheckAsync("#rule-form input[value=Marketing]");
        await console.Page.ClickAsync("#rule-form button");
        var rules = await admin.ListBlockingRulesAsync(new ListBlockingRulesRequest { Sender = Sender }, options);
        Assert.Equal([SmsType.Marketing], Assert.Single(rules.Rules, r => r.App == "shop").BlockedSmsTypes);

        // A keyword set without HELP is refused with the Admin API's own message, and nothing changes.
        var keywords = (await admin.GetInboundAddressAsync(new GetInboundAddressRequest { Sender = Sender }, options)).Keywords.Count;
        await console.Page.Locator("#keywords input[value='HELP']").FillAsync("");
        await console.Page.ClickAsync("#address-form button[type=submit]");
        var error = await console.Page.TextContentAsync("[role=alert]");
        Assert.Contains("missing: HELP", error, StringComparison.Ordinal);
        Assert.Equal(keywords, (await admin.GetInboundAddressAsync(new GetInboundAddressRequest { Sender = Sender }, options)).Keywords.Count);

        await console.GotoAsync("/console/inbound");
        Assert.Contains(Sender, await console.Page.TextContentAsync("#addresses"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopByRecordMo_ShowsInTheOptedOutList_AndInTheRecords()
    {
        const string Sender = "+18005550202";
        const string From = "+14155552202";
        var options = GateTestServer.Options(fixture.Keys.AcmeOperator);
        await Server.Admin.PutInboundAddressAsync(new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = Sender } }, options);
        var mo = await Server.Mo.RecordMoAsync(
            new RecordMoRequest { Message = new MoMessage { InboundAddress = Sender, FromNumber = From, Text = "Stop please", CarrierMessageId = "console-stop-1", CarrierTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow) } },
            GateTestServer.Options(fixture.Keys.AcmeCarrier));
        Assert.Equal(MoAction.OptedOut, mo.Result.Action);

        await using var console = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeAuditor);
        await console.GotoAsync("/console/unsubscribed?sender=" + Uri.EscapeDataString(Sender));
        var row = await console.Page.TextContentAsync("#optouts tr:nth-child(2)");
        Assert.Contains("+1415•••2202", row, StringComparison.Ordinal);
        Assert.DoesNotContain(From, row, StringComparison.Ordinal);
        Assert.Contains("MO KEYWORD", row, StringComparison.Ordinal);

        await console.GotoAsync("/console/unsubscribed?reveal=1&sender=" + Uri.EscapeDataString(Sender));
        Assert.Contains(From, await console.Page.TextContentAsync("#optouts"), StringComparison.Ordinal);

        // The look-up: blocked for every SMS type but... whatever the rule says, with the explanation.
        await console.GotoAsync($"/console/unsubscribed?number={Uri.EscapeDataString(From)}&sender={Uri.EscapeDataString(Sender)}");
        var lookup = await console.Page.TextContentAsync("#lookup");
        Assert.Contains("BLOCKED OPTED OUT", lookup, StringComparison.Ordinal);

        await console.GotoAsync("/console/records?reveal=1&number=" + Uri.EscapeDataString(From));
        var records = await console.Page.TextContentAsync("#records");
        Assert.Contains("OPT OUT", records, StringComparison.Ordinal);
        Assert.Contains("Stop please", records, StringComparison.Ordinal);
        Assert.Contains("STOP", records, StringComparison.Ordinal);

        // Was it blocked an hour ago? No: the STOP came later.
        var hourAgo = DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        await console.GotoAsync($"/console/records?number={Uri.EscapeDataString(From)}&sender={Uri.EscapeDataString(Sender)}&sms_type=Marketing&at={hourAgo}");
        Assert.Contains("ALLOWED", await console.Page.TextContentAsync("#at-answer"), StringComparison.Ordinal);
        var now = DateTime.UtcNow.AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        await console.GotoAsync($"/console/records?number={Uri.EscapeDataString(From)}&sender={Uri.EscapeDataString(Sender)}&sms_type=Marketing&at={now}");
        Assert.Contains("BLOCKED", await console.Page.TextContentAsync("#at-answer"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MuteList_HundredNumbersPastedAtOnce_EachLineHasItsResult()
    {
        var numbers = Enumerable.Range(0, 100).Select(i => "+1415555" + (3000 + i).ToString(CultureInfo.InvariantCulture)).ToList();
        await using var console = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeOperator);
        await console.GotoAsync("/console/mute");
        await console.Page.FillAsync("#add-form input[name=reason]", "complaint list");
        await console.Page.FillAsync("#numbers", string.Join('\n', numbers) + "\nnot-a-number\n");
        await console.Page.ClickAsync("#add-form button[type=submit]");

        var rows = console.Page.Locator("#results tr");
        Assert.Equal(102, await rows.CountAsync());
        for (var i = 0; i < 100; i++)
        {
            var text = await rows.Nth(i + 1).TextContentAsync();
            Assert.Contains(numbers[i], text, StringComparison.Ordinal);
            Assert.Contains("ADDED", text, StringComparison.Ordinal);
        }

        Assert.Contains("INVALID RECIPIENT", await rows.Nth(101).TextContentAsync(), StringComparison.Ordinal);

        var listed = await Server.Admin.ListEntriesAsync(
            new ListEntriesRequest { Filter = new EntryFilter { Kind = EntryKind.Suppression }, PageSize = 1000 },
            GateTestServer.Options(fixture.Keys.AcmeOperator));
        Assert.Superset(numbers.ToHashSet(), listed.Entries.Select(e => e.Recipient).ToHashSet());

        // Batch delete of two, then the row's own delete button for a third.
        await console.Page.FillAsync("#remove-form input[name=reason]", "cleared");
        await console.Page.FillAsync("#remove-numbers", numbers[0] + "\n" + numbers[1]);
        await console.Page.ClickAsync("#remove-form button[type=submit]");
        Assert.Equal(2, await console.Page.Locator("#results tr:has-text('REMOVED')").CountAsync());

        await console.GotoAsync("/console/mute?kind=Suppression&number=" + Uri.EscapeDataString(numbers[2]));
        await console.Page.ClickAsync("#entries button.danger");
        Assert.Contains("REMOVED", await console.Page.TextContentAsync("#results"), StringComparison.Ordinal);

        var after = await Server.Admin.ListEntriesAsync(
            new ListEntriesRequest { Filter = new EntryFilter { Kind = EntryKind.Suppression }, PageSize = 1000 },
            GateTestServer.Options(fixture.Keys.AcmeOperator));
        Assert.DoesNotContain(after.Entries, e => e.Recipient == numbers[0] || e.Recipient == numbers[1] || e.Recipient == numbers[2]);
        Assert.Contains(after.Entries, e => e.Recipient == numbers[3]);
    }

    [Fact]
    public async Task RemovalRequest_AppliedFromTheRow_IsApprovedByAnotherAdminKeyOnly()
    {
        const string Sender = "+18005550204";
        const string Number = "+14155552204";
        var options = GateTestServer.Options(fixture.Keys.AcmeOperator);
        await Server.Admin.AddOptOutsAsync(new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Recipients = { Number }, Reason = "customer asked" }, options);

        await using var requester = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeOperator);
        await requester.GotoAsync("/console/unsubscribed?sender=" + Uri.EscapeDataString(Sender));
        await requester.Page.FillAsync("#optouts input[name=reason]", "opted out by mistake");
        await requester.Page.ClickAsync("#optouts button:has-text('Apply for removal')");
        Assert.Contains("pending review", await requester.NoticeAsync(), StringComparison.Ordinal);

        // The requester may not approve its own request: the Admin API's four-eyes rule, with its message.
        await requester.GotoAsync("/console/removals");
        await requester.Page.ClickAsync("#removals button:has-text('Approve')");
        Assert.NotNull(await requester.Page.TextContentAsync("[role=alert]"));
        Assert.True((await Server.Admin.CheckOptOutsAsync(new CheckOptOutsRequest { Sender = Sender, Recipients = { Number } }, options)).Results[0].Outcome == RecipientOutcome.Present);

        await using var reviewer = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.AcmeReviewer);
        await reviewer.GotoAsync("/console/removals");
        await reviewer.Page.FillAsync("#removals input[name=note]", "checked the consent log");
        await reviewer.Page.ClickAsync("#removals button:has-text('Approve')");
        Assert.Contains("APPROVED", await reviewer.NoticeAsync(), StringComparison.Ordinal);

        Assert.Equal(RecipientOutcome.NotPresent, (await Server.Admin.CheckOptOutsAsync(new CheckOptOutsRequest { Sender = Sender, Recipients = { Number } }, options)).Results[0].Outcome);
        await reviewer.GotoAsync("/console/removals?state=Approved");
        var approved = await reviewer.Page.TextContentAsync("#removals");
        Assert.Contains("checked the consent log", approved, StringComparison.Ordinal);
        Assert.Contains("reviewer", approved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CsvDownload_OfTheFilteredList_HoldsItsRows()
    {
        const string Sender = "+18005550205";
        string[] numbers = ["+14155552051", "+14155552052", "+14155552053"];
        await Server.Admin.AddOptOutsAsync(
            new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Recipients = { numbers }, Reason = "csv test" },
            GateTestServer.Options(fixture.Keys.AcmeOperator));

        await using var console = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeAuditor);
        await console.GotoAsync("/console/unsubscribed?sender=" + Uri.EscapeDataString(Sender));
        var download = await console.Page.RunAndWaitForDownloadAsync(() => console.Page.ClickAsync("#csv"));
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var lines = (await File.ReadAllLinesAsync((await download.PathAsync())!)).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        var recipient = Array.IndexOf(header, "recipient");
        var sender = Array.IndexOf(header, "sender");
        Assert.True(recipient >= 0 && sender >= 0, lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(numbers.Order(), rows.Select(r => r[recipient]).Order());
        Assert.All(rows, r => Assert.Equal(Sender, r[sender]));
        Assert.All(rows, r => Assert.Contains("csv test", string.Join(',', r), StringComparison.Ordinal));

        // The records' download too: the three opt-outs' records.
        await console.GotoAsync("/console/records?sender=" + Uri.EscapeDataString(Sender));
        var records = await console.Page.RunAndWaitForDownloadAsync(() => console.Page.ClickAsync("#csv"));
        var recordLines = (await File.ReadAllLinesAsync((await records.PathAsync())!)).Skip(1).Where(l => l.Length > 0).ToList();
        Assert.Equal(3, recordLines.Count(l => numbers.Any(n => l.Contains(n, StringComparison.Ordinal))));
    }

    [Fact]
    public async Task ReadOnlyKey_SeesNoWriteButtons_AndAForgedPostIsRefused()
    {
        await using var console = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeAuditor);
        Assert.Contains("read-only key", await console.Page.TextContentAsync(".banner"), StringComparison.Ordinal);
        foreach (var path in new[] { "/console/mute", "/console/inbound", "/console/unsubscribed", "/console/removals", "/console/review", "/console/webhooks", "/console/import" })
        {
            await console.GotoAsync(path);
            var buttons = await console.Page.Locator("main button").AllTextContentsAsync();
            Assert.True(buttons.All(b => b is "Filter" or "Query" or "Show" or "Look up" or "Check"), path + ": " + string.Join(", ", buttons));
        }

        // A post with a valid antiforgery token, made by hand: the Admin API refuses the read key, and nothing is written.
        var response = await console.PostFormAsync("/console/mute?handler=add", ConsoleSession.MuteFields("+14155552301", "forged"));
        Assert.Equal(403, response.Status);
        Assert.Contains("Permission denied", await response.TextAsync(), StringComparison.Ordinal);
        var listed = await Server.Admin.ListEntriesAsync(
            new ListEntriesRequest { Filter = new EntryFilter { Recipient = "+14155552301" } }, GateTestServer.Options(fixture.Keys.AcmeOperator));
        Assert.Empty(listed.Entries);

        // An import posted by hand, larger than one message of lines: refused at once, not left waiting to send the rest.
        var upload = console.Context.APIRequest.CreateFormData();
        upload.Set("__RequestVerificationToken", await console.AntiforgeryTokenAsync());
        upload.Set("file", new FilePayload
        {
            Name = "big.csv",
            MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(0, 25_000).Select(i => "+1415" + (2_000_000 + i).ToString(CultureInfo.InvariantCulture)))),
        });
        upload.Set("scope", "Tenant");
        upload.Set("reason", "forged import");
        var imported = await console.Context.APIRequest.PostAsync("/console/import?handler=preview", new APIRequestContextOptions { Multipart = upload });
        Assert.Equal(403, imported.Status);
        Assert.Contains("Permission denied", await imported.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_CreatedInTheConsole_ShowsItsTestDelivery_AndItsSecretSigns_PauseResumeReplayAndDeleteWork()
    {
        const string Sender = "+18005550206";
        var options = GateTestServer.Options(fixture.Keys.AcmeOperator);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var console = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeOperator);
        await console.GotoAsync("/console/webhooks");
        await console.Page.FillAsync("#url", receiver.Url);
        await console.Page.FillAsync("#description", "console test");
        await console.Page.CheckAsync("#create-webhook input[name=events][value=OptOut]");
        await console.Page.ClickAsync("#create-webhook button[type=submit]");

        // The test delivery's result and the secret, shown once; the receiver got the test POST, signed with it.
        var created = await console.Page.TextContentAsync("#created");
        Assert.Contains("delivered", created, StringComparison.Ordinal);
        Assert.Contains("HTTP 200", created, StringComparison.Ordinal);
        var secret = await console.Page.TextContentAsync("#created code");
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var test = Assert.Single(receiver.Tests);
        Assert.True(StandardWebhooksVerifier.Verifies(secret!, test));
        var row = console.Page.Locator("#subscriptions tr", new PageLocatorOptions { HasText = receiver.Url });
        Assert.Contains("OPT OUT", (await row.TextContentAsync())!.ToUpperInvariant().Replace('_', ' '), StringComparison.Ordinal);

        // An opt-out reaches the receiver, signed with the secret the page showed.
        var first = await Server.Admin.AddOptOutsAsync(new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Recipients = { "+14155552061" }, Reason = "webhook" }, options);
        await receiver.WaitUntilAsync(r => r.Accepted.SelectMany(static p => p.Sequences).Contains(first.Sequence), TimeSpan.FromSeconds(30), "the first opt-out");
        Assert.All(receiver.Accepted, p => Assert.True(StandardWebhooksVerifier.Verifies(secret!, p), p.Id));

        // Pause, then resume: the page says so, the Admin API agrees, and what was written meanwhile arrives after the resume.
        await row.Locator("button:has-text('Pause')").ClickAsync();
        Assert.Contains("paused", await console.NoticeAsync(), StringComparison.Ordinal);
        var listed = await Server.Admin.ListWebhookSubscriptionsAsync(new ListWebhookSubscriptionsRequest(), options);
        var subscription = Assert.Single(listed.Subscriptions, s => s.Url == receiver.Url);
        Assert.True(subscription.Paused);
        var second = await Server.Admin.AddOptOutsAsync(new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Recipients = { "+14155552062" }, Reason = "webhook" }, options);
        await row.Locator("button:has-text('Resume')").ClickAsync();
        Assert.Contains("resumed", await console.NoticeAsync(), StringComparison.Ordinal);
        await receiver.WaitUntilAsync(r => r.Accepted.SelectMany(static p => p.Sequences).Contains(second.Sequence), TimeSpan.FromSeconds(30), "the opt-out written while paused");

        // Replay from the first opt-out: it is delivered a second time.
        await row.Locator("input[name=fromSequence]").FillAsync(first.Sequence.ToString(CultureInfo.InvariantCulture));
        await row.Locator("button:has-text('Replay')").ClickAsync();
        Assert.Contains($"replays from sequence {first.Sequence}", await console.NoticeAsync(), StringComparison.Ordinal);
        await receiver.WaitUntilAsync(r => r.Accepted.SelectMany(static p => p.Sequences).Count(q => q == first.Sequence) == 2, TimeSpan.FromSeconds(30), "the first opt-out again");

        await row.Locator("button:has-text('Delete')").ClickAsync();
        Assert.Contains("deleted", await console.NoticeAsync(), StringComparison.Ordinal);
        listed = await Server.Admin.ListWebhookSubscriptionsAsync(new ListWebhookSubscriptionsRequest(), options);
        Assert.DoesNotContain(listed.Subscriptions, s => s.Url == receiver.Url);
    }

    [Fact]
    public async Task FormPost_WithoutItsAntiforgeryToken_IsRefused()
    {
        await using var console = await ConsoleSession.SignInAsync(fixture.Browser, Server, fixture.Keys.AcmeOperator);
        var fields = ConsoleSession.MuteFields("+14155552401", "no token");
        var response = await console.PostFormAsync("/console/mute?handler=add", fields, withToken: false);
        Assert.Equal(400, response.Status);

        // The same post with the token goes through: the refusal was the token's.
        var withToken = await console.PostFormAsync("/console/mute?handler=add", fields);
        Assert.True(withToken.Status == 200, await withToken.TextAsync());
        var listed = await Server.Admin.ListEntriesAsync(
            new ListEntriesRequest { Filter = new EntryFilter { Recipient = "+14155552401" } }, GateTestServer.Options(fixture.Keys.AcmeOperator));
        Assert.Single(listed.Entries);
    }
}
