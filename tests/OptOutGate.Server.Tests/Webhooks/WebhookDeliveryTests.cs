using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Mo;

namespace OptOutGate.Server.Tests.Webhooks;

/// <summary>
/// Webhook deliveries end to end: the real gate in this process, a real Kestrel receiver on a loopback port, events made
/// through the real gRPC API, signatures checked by an implementation of the specification written in the test and by
/// Python's standard library.
/// </summary>
public sealed class WebhookDeliveryTests
{
    private const string Address = MoClient.Address;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    internal static Dictionary<string, string> FastRetries(string maxRetryAge = "01:00:00") => new()
    {
        ["Webhooks:InitialRetryDelay"] = "00:00:00.020",
        ["Webhooks:MaxRetryDelay"] = "00:00:00.200",
        ["Webhooks:MaxRetryAge"] = maxRetryAge,
    };

    [Fact]
    public async Task EveryEvent_IsDeliveredOnce_InSequenceOrder_WithValidSignatures()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gate = await GateTestServer.StartAsync(FastRetries());
        var mo = new MoClient(gate.Channel);
        var hooks = new WebhookClient(gate.Channel);
        await mo.PutAddressAsync();

        var created = await hooks.CreateAsync(receiver.Url);
        Assert.True(created.TestResult.Success, created.TestResult.Error);
        Assert.Equal(200, created.TestResult.HttpStatus);
        Assert.StartsWith("whsec_", created.Subscription.Secret, StringComparison.Ordinal);
        Assert.Single(receiver.Tests);
        Assert.True(StandardWebhooksVerifier.Verifies(created.Subscription.Secret, receiver.Tests[0]));
        Assert.Equal("webhook.test", receiver.Tests[0].Json.GetProperty("type").GetString());
        Assert.Empty((await hooks.GetAsync(created.Subscription.Id)).Secret);

        // Every kind of event: MO replies of every classification, opt-outs by API and by provider error, a review item
        // and its resolution, a removal request and its review, a suppression.
        var stop = await mo.RecordAsync(MoClient.Message("+14155550101", "STOP", "m1"));
        var help = await mo.RecordAsync(MoClient.Message("+14155550102", "help", "m2"));
        var none = await mo.RecordAsync(MoClient.Message("+14155550103", "see you at 5", "m3"));
        var ambiguous = await mo.RecordAsync(MoClient.Message("+14155550104", "when does the sale end", "m4"));
        var start = await mo.RecordAsync(MoClient.Message("+14155550101", "START", "m5", secondsAfterBase: 10));
        Assert.NotEqual(0ul, help.Sequence);
        Assert.NotEqual(0ul, none.Sequence);
        Assert.Equal("Reply STOP to stop.", help.ReplyText);
        await hooks.OptOutAsync(Address, "+14155550105");
        await hooks.Admin.ReportProviderErrorAsync(new ReportProviderErrorRequest { Provider = Provider.Twilio, ErrorCode = "21610", Recipient = "+14155550106", Sender = Address }, hooks.Options());
        await hooks.Admin.ResolveReviewItemAsync(new ResolveReviewItemRequest { Id = ambiguous.ReviewItemId, Resolution = ReviewResolution.NotOptOut, Note = "a question" }, hooks.Options());
        var removal = await hooks.Admin.CreateRemovalRequestAsync(new CreateRemovalRequestRequest { Scope = Scope.Sender, Sender = Address, Recipient = "+14155550105", Reason = "asked by phone" }, hooks.Options());
        await hooks.Admin.ReviewRemovalRequestAsync(new ReviewRemovalRequestRequest { Id = removal.Id, Decision = ReviewDecision.Reject, Note = "no proof" }, hooks.Options());
        var last = (await hooks.Admin.AddSuppressionsAsync(new AddSuppressionsRequest { Sender = Address, Recipients = { "+14155550107" }, SmsTypes = { SmsType.Marketing }, Reason = "complaint" }, hooks.Options())).Sequence;

        await receiver.WaitUntilAsync(r => r.Accepted.SelectMany(static p => p.Sequences).Contains(last), Wait, "every event up to the suppression");

        // Exactly the tenant's history after the subscription's creation, each once, in order (its own record excepted).
        var history = await hooks.Admin.ListHistoryAsync(new ListHistoryRequest { PageSize = 1000 }, hooks.Options());
        var expected = history.Records
            .Where(r => r.Sequence >= created.Subscription.StartSequence && r.Config?.WebhookSubscription is null)
            .Select(static r => r.Sequence).Order().ToList();
        var delivered = receiver.Accepted.SelectMany(static p => p.Sequences).ToList();
        Assert.Equal(expected, delivered);
        Assert.All(receiver.Accepted, p => Assert.True(StandardWebhooksVerifier.Verifies(created.Subscription.Secret, p), p.Id));
        Assert.All(receiver.Accepted, p => Assert.Single(p.Signature.Split(' ')));
        await PythonVerifier.AssertVerifiesAsync(created.Subscription.Secret, receiver.Accepted);

        // The reply callback: every MO with its text, classification and carrier id.
        var replies = receiver.Accepted.SelectMany(static p => p.Events)
            .Where(static e => e.GetProperty("data").GetProperty("event_types").EnumerateArray().Any(static t => t.GetString() == "WEBHOOK_EVENT_TYPE_MO_REPLY"))
            .ToDictionary(static e => e.GetProperty("data").GetProperty("record").GetProperty("carrierMessageId").GetString()!);
        Assert.Equal(["m1", "m2", "m3", "m4", "m5"], replies.Keys.Order());
        Assert.Equal("MO_ACTION_OPTED_OUT", replies["m1"].GetProperty("data").GetProperty("mo_action").GetString());
        Assert.Equal("MO_ACTION_HELP", replies["m2"].GetProperty("data").GetProperty("mo_action").GetString());
        Assert.Equal("mo_received", replies["m2"].GetProperty("type").GetString());
        Assert.Equal("MO_ACTION_NONE", replies["m3"].GetProperty("data").GetProperty("mo_action").GetString());
        Assert.Equal("see you at 5", replies["m3"].GetProperty("data").GetProperty("record").GetProperty("moText").GetString());
        Assert.Equal("CLASSIFICATION_RULE_NONE", replies["m3"].GetProperty("data").GetProperty("record").GetProperty("rule").GetString());
        Assert.Equal("MO_ACTION_AMBIGUOUS", replies["m4"].GetProperty("data").GetProperty("mo_action").GetString());
        Assert.Equal("MO_ACTION_OPTED_IN", replies["m5"].GetProperty("data").GetProperty("mo_action").GetString());
        Assert.Equal(stop.Sequence, replies["m1"].GetProperty("data").GetProperty("sequence").GetUInt64());
        Assert.Equal(start.Sequence, replies["m5"].GetProperty("data").GetProperty("sequence").GetUInt64());

        // The provider error, the review and removal steps are typed as such.
        var types = receiver.Accepted.SelectMany(static p => p.Events).SelectMany(static e => e.GetProperty("data").GetProperty("event_types").EnumerateArray().Select(static t => t.GetString())).ToHashSet();
        Assert.Contains("WEBHOOK_EVENT_TYPE_PROVIDER_ERROR", types);
        Assert.Contains("WEBHOOK_EVENT_TYPE_REVIEW_ITEM", types);
        Assert.Contains("WEBHOOK_EVENT_TYPE_REMOVAL_REQUEST", types);
        Assert.Contains("WEBHOOK_EVENT_TYPE_OTHER_CHANGE", types);

        var status = (await hooks.WaitForStatusAsync(created.Subscription.Id, s => s.DeliveredSequence >= last, Wait)).Status;
        Assert.Equal(WebhookDeliveryState.Active, status.State);
        Assert.Equal((ulong)delivered.Count, status.DeliveredEvents);
    }

    [Fact]
    public async Task ReceiverFailingFiveTimes_GetsEveryEventOnceItRecovers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = static (n, _) => n <= 5 ? 500 : 200;
        await using var gate = await GateTestServer.StartAsync(FastRetries());
        var hooks = new WebhookClient(gate.Channel);
        await new MoClient(gate.Channel).PutAddressAsync();
        var created = await hooks.CreateAsync(receiver.Url, types: WebhookEventType.OptOut);

        var sequences = new List<ulong>();
        for (var i = 0; i < 4; i++)
        {
            sequences.Add(await hooks.OptOutAsync(Address, $"+1415555020{i}"));
        }

        await receiver.WaitUntilAsync(r => r.Accepted.Count == 4, Wait, "the four events accepted");
        Assert.Equal(5, receiver.Posts.Count(static p => p.Status == 500));
        Assert.Equal(sequences, receiver.Accepted.SelectMany(static p => p.Sequences));

        // The failed attempts were the first event, again and again: nothing later went out before it was accepted.
        Assert.All(receiver.Posts.Take(6), p => Assert.Equal(sequences[0], p.Sequences.Single()));
        var status = (await hooks.WaitForStatusAsync(created.Subscription.Id, s => s.DeliveredSequence >= sequences[^1], Wait)).Status;
        Assert.Equal(0, status.ConsecutiveFailures);
        Assert.NotNull(status.LastSuccessTime);
    }

    [Fact]
    public async Task ReceiverDownPastMaxRetryAge_MarksFailing_AndReplayDeliversFromTheSequence()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = static (_, _) => 503;
        await using var gate = await GateTestServer.StartAsync(FastRetries(maxRetryAge: "00:00:00.300"));
        var hooks = new WebhookClient(gate.Channel);
        await new MoClient(gate.Channel).PutAddressAsync();
        var created = await hooks.CreateAsync(receiver.Url, types: WebhookEventType.OptOut);
        var first = await hooks.OptOutAsync(Address, "+14155550301");
        var second = await hooks.OptOutAsync(Address, "+14155550302");

        var failing = await hooks.WaitForStatusAsync(created.Subscription.Id, static s => s.State == WebhookDeliveryState.Failing, Wait);
        Assert.Equal(first - 1, failing.Status.DeliveredSequence);
        Assert.Equal(503, failing.Status.LastHttpStatus);
        Assert.NotNull(failing.Status.FailingSince);
        var attempts = receiver.Posts.Count;

        // FAILING sends nothing more, even with new events, until replayed.
        var third = await hooks.OptOutAsync(Address, "+14155550303");
        Assert.Equal(WebhookDeliveryState.Failing, (await hooks.GetAsync(created.Subscription.Id)).Status.State);

        receiver.Answer = static (_, _) => 200;
        await hooks.ReplayAsync(created.Subscription.Id, first);
        await receiver.WaitUntilAsync(r => r.Accepted.Count == 3, Wait, "the three events after the replay");
        Assert.Equal([first, second, third], receiver.Accepted.SelectMany(static p => p.Sequences));
        Assert.True(receiver.Posts.Count >= attempts + 3);
        Assert.Equal(WebhookDeliveryState.Active, (await hooks.WaitForStatusAsync(created.Subscription.Id, s => s.DeliveredSequence >= third, Wait)).Status.State);
    }

    [Fact]
    public async Task PausedSubscription_DeliversNothing_UntilResumed_ThenCatchesUp()
    {
        await using var paused = await WebhookReceiver.StartAsync();
        await using var witness = await WebhookReceiver.StartAsync();
        await using var gate = await GateTestServer.StartAsync(FastRetries());
        var hooks = new WebhookClient(gate.Channel);
        await new MoClient(gate.Channel).PutAddressAsync();
        var subscription = (await hooks.CreateAsync(paused.Url, types: WebhookEventType.OptOut)).Subscription;
        await hooks.CreateAsync(witness.Url, types: WebhookEventType.OptOut);
        var pausedView = await hooks.SetPausedAsync(subscription.Id, paused: true);
        Assert.True(pausedView.Paused);

        var sequences = new List<ulong>();
        for (var i = 0; i < 3; i++)
        {
            sequences.Add(await hooks.OptOutAsync(Address, $"+1415555040{i}"));
        }

        // The other subscription of the tenant has them all: the paused one had every chance and sent nothing.
        await witness.WaitUntilAsync(r => r.Accepted.Count == 3, Wait, "the unpaused subscription's three events");
        await hooks.WaitForStatusAsync(subscription.Id, static s => s.State == WebhookDeliveryState.Paused, Wait);
        Assert.Equal(0, paused.Started);

        await hooks.SetPausedAsync(subscription.Id, paused: false);
        await paused.WaitUntilAsync(r => r.Accepted.Count == 3, Wait, "the paused subscription catching up");
        Assert.Equal(sequences, paused.Accepted.SelectMany(static p => p.Sequences));
    }

    [Fact]
    public async Task RotatedSecret_SignsWithBothDuringTheOverlap_ThenWithTheNewOneOnly()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gate = await GateTestServer.StartAsync(FastRetries());
        var hooks = new WebhookClient(gate.Channel);
        await new MoClient(gate.Channel).PutAddressAsync();
        var a = WebhookClient.NewSecret();
        var b = WebhookClient.NewSecret();
        var c = WebhookClient.NewSecret();
        var id = (await hooks.CreateAsync(receiver.Url, secret: a, types: WebhookEventType.OptOut)).Subscription.Id;

        await hooks.OptOutAsync(Address, "+14155550501");
        await receiver.WaitUntilAsync(r => r.Accepted.Count == 1, Wait, "the first event");

        var rotated = await hooks.RotateAsync(id, b, TimeSpan.FromHours(1));
        Assert.Equal(b, rotated.Secret);
        Assert.NotNull(rotated.PreviousSecretExpireTime);
        await hooks.OptOutAsync(Address, "+14155550502");
        await receiver.WaitUntilAsync(r => r.Accepted.Count == 2, Wait, "the second event");

        await hooks.RotateAsync(id, c, TimeSpan.Zero);
        await hooks.OptOutAsync(Address, "+14155550503");
        await receiver.WaitUntilAsync(r => r.Accepted.Count == 3, Wait, "the third event");

        var posts = receiver.Accepted;
        Assert.True(StandardWebhooksVerifier.Verifies(a, posts[0]));
        Assert.Equal(1, StandardWebhooksVerifier.SignatureCount(posts[0]));
        Assert.False(StandardWebhooksVerifier.Verifies(b, posts[0]));

        // During the overlap: both signatures, either secret verifies.
        Assert.Equal(2, StandardWebhooksVerifier.SignatureCount(posts[1]));
        Assert.True(StandardWebhooksVerifier.Verifies(b, posts[1]));
        Assert.True(StandardWebhooksVerifier.Verifies(a, posts[1]));

        // Rotated without overlap: the new secret only.
        Assert.Equal(1, StandardWebhooksVerifier.SignatureCount(posts[2]));
        Assert.True(StandardWebhooksVerifier.Verifies(c, posts[2]));
        Assert.False(StandardWebhooksVerifier.Verifies(b, posts[2]));
        Assert.False(StandardWebhooksVerifier.Verifies(a, posts[2]));

        await PythonVerifier.AssertVerifiesAsync(c, [posts[2]]);

        // Secrets never appear in the history the tenant can read.
        var history = await hooks.Admin.ListHistoryAsync(new ListHistoryRequest { PageSize = 1000 }, hooks.Options());
        var configs = history.Records.Where(static r => r.Config?.WebhookSubscription is not null).ToList();
        Assert.Equal(3, configs.Count);
        Assert.All(configs, r => Assert.Empty(r.Config.WebhookSubscription.Secret));
        Assert.All(configs, r => Assert.Empty(r.Config.WebhookSubscription.PreviousSecret));
    }

    [Fact]
    public async Task BatchedSubscription_SendsABacklogAsBatches_InOrder()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gate = await GateTestServer.StartAsync(FastRetries());
        var hooks = new WebhookClient(gate.Channel);
        await new MoClient(gate.Channel).PutAddressAsync();
        var id = (await hooks.CreateAsync(receiver.Url, maxBatchSize: 10, paused: true, types: WebhookEventType.OptOut)).Subscription.Id;
        var recipients = Enumerable.Range(0, 25).Select(static i => $"+141555506{i:00}").ToArray();
        var last = await hooks.OptOutAsync(Address, recipients);

        await hooks.SetPausedAsync(id, paused: false);
        await receiver.WaitUntilAsync(r => r.Accepted.SelectMany(static p => p.Sequences).Contains(last), Wait, "the backlog");
        Assert.Equal(3, receiver.Accepted.Count);
        Assert.All(receiver.Accepted, static p => Assert.Equal("batch", p.Json.GetProperty("type").GetString()));
        var sequences = receiver.Accepted.SelectMany(static p => p.Sequences).ToList();
        Assert.Equal(25, sequences.Count);
        Assert.Equal(sequences.Order(), sequences);
    }

    [Fact]
    public async Task Subscriptions_SurviveARestart_AndKeepDelivering()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var data = Directory.CreateTempSubdirectory("optoutgate-test-").FullName;
        string id;
        ulong first;
        await using (var gate = await GateTestServer.StartAsync(FastRetries(), data))
        {
            var hooks = new WebhookClient(gate.Channel);
            await new MoClient(gate.Channel).PutAddressAsync();
            id = (await hooks.CreateAsync(receiver.Url, types: [WebhookEventType.OptOut, WebhookEventType.MoReply])).Subscription.Id;
            first = await hooks.OptOutAsync(Address, "+14155550701");
            await receiver.WaitUntilAsync(r => r.Accepted.Count == 1, Wait, "the first event");
        }

        await using (var gate = await GateTestServer.StartAsync(FastRetries(), data))
        {
            var hooks = new WebhookClient(gate.Channel);
            var subscription = await hooks.GetAsync(id);
            Assert.Equal(receiver.Url, subscription.Url);

            // The reply callback is still on: a NONE MO is recorded and delivered.
            var none = await new MoClient(gate.Channel).RecordAsync(MoClient.Message("+14155550702", "thanks", "r1"));
            Assert.NotEqual(0ul, none.Sequence);
            await receiver.WaitUntilAsync(r => r.Accepted.Count == 2, Wait, "the event after the restart");
            Assert.Equal([first, none.Sequence], receiver.Accepted.SelectMany(static p => p.Sequences));
        }

        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task WithoutAReplyCallback_HelpAndNone_StayUnrecorded()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gate = await GateTestServer.StartAsync();
        var mo = new MoClient(gate.Channel);
        var hooks = new WebhookClient(gate.Channel);
        await mo.PutAddressAsync();
        await hooks.CreateAsync(receiver.Url, types: WebhookEventType.OptOut);

        Assert.Equal(0ul, (await mo.RecordAsync(MoClient.Message("+14155550801", "help", "h1"))).Sequence);
        Assert.Equal(0ul, (await mo.RecordAsync(MoClient.Message("+14155550802", "hello", "h2"))).Sequence);
    }

    [Fact]
    public async Task BadSubscriptions_AreRefused_WithTheFieldNamed()
    {
        await using var gate = await GateTestServer.StartAsync(new Dictionary<string, string> { ["Webhooks:AllowedHttpHosts:0"] = "receiver.internal" });
        var hooks = new WebhookClient(gate.Channel);

        async Task<RpcException> Refused(string url, string? secret = null, params WebhookEventType[] types) =>
            await Assert.ThrowsAsync<RpcException>(() => hooks.CreateAsync(url, secret, types: types));

        Assert.Contains("https", (await Refused("http://example.com/hook")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("url", (await Refused("ftp://example.com/hook")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("user information", (await Refused("https://u:p@example.com/hook")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("secret", (await Refused("https://example.com/hook", "not-a-secret")).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("secret", (await Refused("https://example.com/hook", "whsec_" + Convert.ToBase64String(new byte[8]))).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("event_types", (await Refused("https://example.com/hook", null, WebhookEventType.Unspecified)).Status.Detail, StringComparison.Ordinal);

        // An allowed http host and an https receiver that is not there: created, with the failed test delivery's reason.
        var created = await hooks.CreateAsync("https://127.0.0.1:1/hook");
        Assert.False(created.TestResult.Success);
        Assert.Equal(0, created.TestResult.HttpStatus);
        Assert.NotEmpty(created.TestResult.Error);
        await hooks.CreateAsync("http://receiver.internal:1/hook");
        Assert.Equal(2, (await hooks.Admin.ListWebhookSubscriptionsAsync(new ListWebhookSubscriptionsRequest(), hooks.Options())).Subscriptions.Count);

        var missing = await Assert.ThrowsAsync<RpcException>(() => hooks.GetAsync("wh_00000000000000000000000000000000"));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        await hooks.Admin.DeleteWebhookSubscriptionAsync(new DeleteWebhookSubscriptionRequest { Id = created.Subscription.Id }, hooks.Options());
        Assert.Single((await hooks.Admin.ListWebhookSubscriptionsAsync(new ListWebhookSubscriptionsRequest(), hooks.Options())).Subscriptions);
    }
}
