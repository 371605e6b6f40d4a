using System.Net;
using System.Text.Json;
using Grpc.Core;

namespace OptOutGate.Server.Tests.JsonApi;

/// <summary>
/// Every JSON route of the contract driven with a plain HttpClient against the real gate, with the API keys of the
/// roles a user would hold, and what each route did checked through the other routes (a write seen by the gate's
/// check, the lists and the history).
/// </summary>
public sealed class JsonApiRoutesTests(JsonApiFixture fixture) : IClassFixture<JsonApiFixture>
{
    private const string Marketing = "SMS_TYPE_MARKETING";

    [Fact]
    public async Task InboundAddresses_PutGetListDelete()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        const string Sender = "+18005550111";

        // The sender in the path as curl sends it ('+' as is) and percent-encoded: both are the same address.
        var put = (await admin.PutAsync("/v1/inbound-addresses/" + Sender, new { description = "support line" })).Ok();
        Assert.Equal(Sender, put.Json.GetProperty("sender").GetString());
        var got = (await admin.GetAsync("/v1/inbound-addresses/%2B18005550111")).Ok();
        Assert.Equal("support line", got.Json.GetProperty("description").GetString());

        var list = (await admin.GetAsync("/v1/inbound-addresses?pageSize=100")).Ok();
        Assert.Contains(list.Json.GetProperty("inboundAddresses").EnumerateArray(), a => a.GetProperty("sender").GetString() == Sender);

        (await admin.DeleteAsync("/v1/inbound-addresses/" + Sender)).Ok();
        (await admin.GetAsync("/v1/inbound-addresses/" + Sender)).Error(HttpStatusCode.NotFound, StatusCode.NotFound);
    }

    [Fact]
    public async Task PolicyAndBlockingRules_ReadAndChange()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        using var auditor = fixture.Http(fixture.Keys.AcmeAuditor);
        const string Sender = "+18005550112";

        var policy = (await auditor.GetAsync("/v1/policy")).Ok();
        Assert.True(policy.Json.TryGetProperty("ambiguousPolicy", out _), policy.Text);
        var changed = (await admin.PatchAsync("/v1/policy", new { policy = new { reviewDueBusinessDays = 7 }, updateMask = "reviewDueBusinessDays" })).Ok();
        Assert.Equal(7, changed.Json.GetProperty("reviewDueBusinessDays").GetInt32());
        Assert.Equal(7, (await auditor.GetAsync("/v1/policy")).Ok().Json.GetProperty("reviewDueBusinessDays").GetInt32());

        (await admin.PutAsync("/v1/inbound-addresses/" + Sender, new { description = "rules" })).Ok();
        var rule = (await admin.PutAsync("/v1/blocking-rules", new { sender = Sender, app = "shop", blockedSmsTypes = new[] { Marketing } })).Ok();
        Assert.Equal("shop", rule.Json.GetProperty("app").GetString());
        var rules = (await auditor.GetAsync("/v1/blocking-rules?sender=%2B18005550112")).Ok().Json.GetProperty("rules");
        Assert.Equal([Marketing], rules.EnumerateArray().Single().GetProperty("blockedSmsTypes").EnumerateArray().Select(t => t.GetString()!));

        (await admin.DeleteAsync("/v1/blocking-rules?sender=%2B18005550112&app=shop")).Ok();
        Assert.Empty((await auditor.GetAsync("/v1/blocking-rules?sender=%2B18005550112")).Ok().Json.GetProperty("rules").EnumerateArray());
        (await admin.DeleteAsync("/v1/blocking-rules?sender=%2B18005550112&app=shop")).Error(HttpStatusCode.NotFound, StatusCode.NotFound);
    }

    [Fact]
    public async Task OptOuts_AddCheckListRemove_AndTheGateAndHistoryFollow()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        using var auditor = fixture.Http(fixture.Keys.AcmeAuditor);
        using var dispatcher = fixture.Http(fixture.Keys.AcmeDispatcher);
        const string Sender = "+18005550113";

        var added = (await admin.PostAsync("/v1/optouts:add", new
        {
            scope = "SCOPE_SENDER",
            sender = Sender,
            recipients = new[] { "+14155550100", "+14155550101", "12345" },
            reason = "asked by phone",
        })).Ok().Json;
        var results = added.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["RECIPIENT_OUTCOME_ADDED", "RECIPIENT_OUTCOME_ADDED", "RECIPIENT_OUTCOME_INVALID_RECIPIENT"], results.Select(r => r.GetProperty("outcome").GetString()!));
        var addSequence = added.GetProperty("sequence").GetUInt64();
        var addTime = results[0].GetProperty("entry").GetProperty("updateTime").GetString();

        // The dispatcher's check reads its own write through min_sequence, as over gRPC.
        var check = (await dispatcher.PostAsync("/v1/checks", new { sender = Sender, smsType = Marketing, recipients = new[] { "+14155550100", "+14155550102", "0044" }, minSequence = addSequence })).Ok().Json;
        Assert.Equal(["VERDICT_BLOCKED_OPTED_OUT", "VERDICT_ALLOWED", "VERDICT_INVALID_RECIPIENT"], Strings(check.GetProperty("verdicts")));
        Assert.Equal(1, check.GetProperty("counts").GetProperty("blockedOptedOut").GetInt32());

        var present = (await auditor.PostAsync("/v1/optouts:check", new { sender = Sender, recipients = new[] { "+14155550100", "+14155550102" } })).Ok().Json;
        Assert.Equal(["RECIPIENT_OUTCOME_PRESENT", "RECIPIENT_OUTCOME_NOT_PRESENT"], present.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()!));

        var entries = (await auditor.GetAsync("/v1/entries?filter.sender=%2B18005550113&filter.kind=ENTRY_KIND_OPT_OUT&pageSize=10")).Ok().Json;
        Assert.Equal(["+14155550100", "+14155550101"], entries.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("recipient").GetString()!).Order());

        var removed = (await admin.PostAsync("/v1/optouts:remove", new { scope = "SCOPE_SENDER", sender = Sender, recipients = new[] { "+14155550100" }, reason = "asked back in" })).Ok().Json;
        Assert.Equal("RECIPIENT_OUTCOME_REMOVED", removed.GetProperty("results")[0].GetProperty("outcome").GetString());
        var after = (await dispatcher.PostAsync("/v1/checks", new { sender = Sender, smsType = Marketing, recipients = new[] { "+14155550100" }, minSequence = removed.GetProperty("sequence").GetUInt64() })).Ok().Json;
        Assert.Equal(["VERDICT_ALLOWED"], Strings(after.GetProperty("verdicts")));

        var history = (await auditor.GetAsync("/v1/history?filter.recipient=%2B14155550100&filter.sender=%2B18005550113")).Ok().Json;
        var records = history.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(["CHANGE_ACTION_OPT_OUT", "CHANGE_ACTION_OPT_OUT_REMOVED"], records.Select(r => r.GetProperty("action").GetString()!).Order());
        var removeTime = records.Single(r => r.GetProperty("action").GetString() == "CHANGE_ACTION_OPT_OUT_REMOVED").GetProperty("eventTime").GetString();

        // Point in time: blocked from the opt-out on, allowed from its removal on.
        var then = (await auditor.PostAsync("/v1/history:check-at-time", new { recipient = "+14155550100", sender = Sender, smsType = Marketing, time = addTime })).Ok().Json;
        Assert.Equal("VERDICT_BLOCKED_OPTED_OUT", then.GetProperty("verdict").GetString());
        var later = (await auditor.PostAsync("/v1/history:check-at-time", new { recipient = "+14155550100", sender = Sender, smsType = Marketing, time = removeTime })).Ok().Json;
        Assert.Equal("VERDICT_ALLOWED", later.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task SuppressionsAndBypasses_AddAndRemove_AsTheGateSeesThem()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        using var dispatcher = fixture.Http(fixture.Keys.AcmeDispatcher);
        const string Sender = "+18005550114";
        string[] one = ["+14155550100"];

        var muted = (await admin.PostAsync("/v1/suppressions:add", new { scope = "SCOPE_SENDER", sender = Sender, recipients = one, smsTypes = new[] { Marketing }, reason = "complaint" })).Ok().Json;
        Assert.Equal("RECIPIENT_OUTCOME_ADDED", muted.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Equal(["VERDICT_BLOCKED_SUPPRESSED"], await VerdictsAsync(dispatcher, Sender, muted, one));
        var unmuted = (await admin.PostAsync("/v1/suppressions:remove", new { scope = "SCOPE_SENDER", sender = Sender, recipients = one, reason = "resolved" })).Ok().Json;
        Assert.Equal(["VERDICT_ALLOWED"], await VerdictsAsync(dispatcher, Sender, unmuted, one));

        (await admin.PostAsync("/v1/optouts:add", new { scope = "SCOPE_SENDER", sender = Sender, recipients = one, reason = "stop" })).Ok();
        var bypass = (await admin.PostAsync("/v1/bypasses:add", new { scope = "SCOPE_SENDER", sender = Sender, recipients = one, smsTypes = new[] { Marketing }, reason = "contract" })).Ok().Json;
        Assert.Equal(["VERDICT_ALLOWED_BYPASS"], await VerdictsAsync(dispatcher, Sender, bypass, one));
        var unbypassed = (await admin.PostAsync("/v1/bypasses:remove", new { scope = "SCOPE_SENDER", sender = Sender, recipients = one, reason = "contract ended" })).Ok().Json;
        Assert.Equal(["VERDICT_BLOCKED_OPTED_OUT"], await VerdictsAsync(dispatcher, Sender, unbypassed, one));
    }

    [Fact]
    public async Task MoStop_OptsOut_AndShowsInEntriesAndHistory()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        using var carrier = fixture.Http(fixture.Keys.AcmeCarrier);
        const string Sender = "+18005550115";
        (await admin.PutAsync("/v1/inbound-addresses/" + Sender, new
        {
            description = "mo",
            defaultLanguageCode = "en",
            replyTexts = new[] { new { languageCode = "en", optOutText = "You are unsubscribed.", optInText = "Welcome back.", helpText = "Reply STOP to stop." } },
        })).Ok();

        var mo = (await carrier.PostAsync("/v1/mo-messages", Mo(Sender, "+14155550100", "STOP", "json-mo-1"))).Ok().Json.GetProperty("result");
        Assert.Equal("MO_ACTION_OPTED_OUT", mo.GetProperty("action").GetString());
        Assert.Equal("You are unsubscribed.", mo.GetProperty("replyText").GetString());

        var entry = (await admin.GetAsync("/v1/entries?filter.sender=%2B18005550115")).Ok().Json.GetProperty("entries").EnumerateArray().Single();
        Assert.Equal("SOURCE_MO_KEYWORD", entry.GetProperty("source").GetString());
        var record = (await admin.GetAsync("/v1/history?filter.sender=%2B18005550115")).Ok().Json.GetProperty("records").EnumerateArray()
            .Single(r => r.GetProperty("action").GetString() == "CHANGE_ACTION_OPT_OUT");
        Assert.Equal("STOP", record.GetProperty("moText").GetString());
        Assert.Equal("json-mo-1", record.GetProperty("carrierMessageId").GetString());

        // The same message again is a duplicate, not a second opt-out.
        var again = (await carrier.PostAsync("/v1/mo-messages", Mo(Sender, "+14155550100", "STOP", "json-mo-1"))).Ok().Json.GetProperty("result");
        Assert.Equal("MO_ACTION_DUPLICATE", again.GetProperty("action").GetString());
    }

    [Fact]
    public async Task RemovalRequest_CreateGetListReview_WithFourEyes()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        using var reviewer = fixture.Http(fixture.AcmeReviewer);
        using var carrier = fixture.Http(fixture.Keys.AcmeCarrier);
        using var dispatcher = fixture.Http(fixture.Keys.AcmeDispatcher);
        const string Sender = "+18005550116";
        (await admin.PutAsync("/v1/inbound-addresses/" + Sender, new { description = "removals" })).Ok();
        (await carrier.PostAsync("/v1/mo-messages", Mo(Sender, "+14155550101", "STOP", "json-removal-1"))).Ok();

        var request = new { scope = "SCOPE_SENDER", sender = Sender, recipient = "+14155550101", reason = "customer called to opt back in" };
        var created = (await admin.PostAsync("/v1/removal-requests", request)).Ok().Json;
        Assert.Equal("REMOVAL_REQUEST_STATE_PENDING", created.GetProperty("state").GetString());
        var id = created.GetProperty("id").GetString()!;
        (await admin.PostAsync("/v1/removal-requests", request)).Error(HttpStatusCode.Conflict, StatusCode.AlreadyExists);

        Assert.Equal(id, (await reviewer.GetAsync("/v1/removal-requests/" + id)).Ok().Json.GetProperty("id").GetString());
        var pending = (await reviewer.GetAsync("/v1/removal-requests?state=REMOVAL_REQUEST_STATE_PENDING&recipient=%2B14155550101")).Ok().Json;
        Assert.Contains(pending.GetProperty("removalRequests").EnumerateArray(), r => r.GetProperty("id").GetString() == id);

        (await admin.PostAsync($"/v1/removal-requests/{id}:review", new { decision = "REVIEW_DECISION_APPROVE", note = "mine" })).Error(HttpStatusCode.Forbidden, StatusCode.PermissionDenied);
        var approved = (await reviewer.PostAsync($"/v1/removal-requests/{id}:review", new { decision = "REVIEW_DECISION_APPROVE", note = "verified by phone" })).Ok().Json;
        Assert.Equal("REMOVAL_REQUEST_STATE_APPROVED", approved.GetProperty("state").GetString());
        (await reviewer.PostAsync($"/v1/removal-requests/{id}:review", new { decision = "REVIEW_DECISION_REJECT", note = "again" })).Error(HttpStatusCode.BadRequest, StatusCode.FailedPrecondition);

        var check = (await dispatcher.PostAsync("/v1/checks", new { sender = Sender, smsType = Marketing, recipients = new[] { "+14155550101" }, minSequence = approved.GetProperty("reviewSequence").GetUInt64() })).Ok().Json;
        Assert.Equal(["VERDICT_ALLOWED"], Strings(check.GetProperty("verdicts")));
        (await reviewer.GetAsync("/v1/removal-requests/nope")).Error(HttpStatusCode.NotFound, StatusCode.NotFound);
    }

    [Fact]
    public async Task ReviewQueue_AmbiguousMoIsListedAndResolved()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        using var carrier = fixture.Http(fixture.Keys.AcmeCarrier);
        using var dispatcher = fixture.Http(fixture.Keys.AcmeDispatcher);
        const string Sender = "+18005550117";
        (await admin.PutAsync("/v1/inbound-addresses/" + Sender, new { description = "review" })).Ok();

        var mo = (await carrier.PostAsync("/v1/mo-messages", Mo(Sender, "+14155550102", "when does the sale END", "json-review-1"))).Ok().Json.GetProperty("result");
        Assert.Equal("MO_ACTION_AMBIGUOUS", mo.GetProperty("action").GetString());
        var id = mo.GetProperty("reviewItemId").GetString()!;

        var queue = (await admin.GetAsync("/v1/review-items?sender=%2B18005550117")).Ok().Json;
        Assert.Equal(id, queue.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetString());

        var resolved = (await admin.PostAsync($"/v1/review-items/{id}:resolve", new { resolution = "REVIEW_RESOLUTION_OPT_OUT", note = "clearly wants out" })).Ok().Json;
        var sequence = resolved.GetProperty("sequence").GetUInt64();
        var check = (await dispatcher.PostAsync("/v1/checks", new { sender = Sender, smsType = Marketing, recipients = new[] { "+14155550102" }, minSequence = sequence })).Ok().Json;
        Assert.Equal(["VERDICT_BLOCKED_OPTED_OUT"], Strings(check.GetProperty("verdicts")));
        (await admin.PostAsync($"/v1/review-items/{id}:resolve", new { resolution = "REVIEW_RESOLUTION_NOT_OPT_OUT", note = "again" })).Error(HttpStatusCode.BadRequest, StatusCode.FailedPrecondition);
        Assert.Empty((await admin.GetAsync("/v1/review-items?sender=%2B18005550117")).Ok().Json.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task ProviderError_IsRecordedAsAnOptOut_AndOtherCodesAreRefused()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        const string Sender = "+18005550118";

        var reported = (await admin.PostAsync("/v1/provider-errors", new { provider = "PROVIDER_TWILIO", errorCode = "21610", recipient = "+14155550103", sender = Sender, providerMessage = "Attempt to send to unsubscribed recipient" })).Ok().Json;
        var result = reported.GetProperty("result");
        Assert.Equal("RECIPIENT_OUTCOME_ADDED", result.GetProperty("outcome").GetString());
        Assert.Equal("SOURCE_PROVIDER_ERROR", result.GetProperty("entry").GetProperty("source").GetString());

        (await admin.PostAsync("/v1/provider-errors", new { provider = "PROVIDER_TWILIO", errorCode = "30003", recipient = "+14155550103", sender = Sender })).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
    }

    /// <summary>The body of POST /v1/mo-messages: the MoMessage itself (its route's body is the request's "message").</summary>
    internal static object Mo(string inboundAddress, string from, string text, string carrierMessageId) => new
    {
        inboundAddress,
        fromNumber = from,
        text,
        carrierMessageId,
        carrierTime = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task<string[]> VerdictsAsync(JsonHttp dispatcher, string sender, JsonElement write, string[] recipients)
    {
        var check = (await dispatcher.PostAsync("/v1/checks", new { sender, smsType = Marketing, recipients, minSequence = write.GetProperty("sequence").GetUInt64() })).Ok().Json;
        return Strings(check.GetProperty("verdicts"));
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
