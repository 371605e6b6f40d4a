using System.Net;
using Grpc.Core;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.JsonApi;

/// <summary>
/// What the JSON routes answer to what they cannot serve: the gRPC status of the call as its HTTP status, with the
/// JSON error body ({"code", "message", "details"}) and a message that says what was wrong, never a silent success.
/// </summary>
public sealed class JsonApiErrorTests(JsonApiFixture fixture) : IClassFixture<JsonApiFixture>
{
    private static readonly object s_addOne = new { scope = "SCOPE_SENDER", sender = "+18005550121", recipients = new[] { "+14155550100" }, reason = "r" };

    [Fact]
    public async Task NoKey_Or_UnknownKey_Or_NotBearer_Is401()
    {
        using var none = fixture.Http(key: null);
        var missing = (await none.PostAsync("/v1/optouts:add", s_addOne)).Error(HttpStatusCode.Unauthorized, StatusCode.Unauthenticated);
        Assert.Contains("No API key", missing.Message, StringComparison.Ordinal);
        (await none.GetAsync("/v1/entries")).Error(HttpStatusCode.Unauthorized, StatusCode.Unauthenticated);

        var stranger = ApiKeyHash.NewKey();
        using var unknown = fixture.Http(stranger);
        var refused = (await unknown.GetAsync("/v1/entries")).Error(HttpStatusCode.Unauthorized, StatusCode.Unauthenticated);
        Assert.DoesNotContain(stranger, refused.Text, StringComparison.Ordinal);

        using var basic = fixture.Http(key: null);
        basic.Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        (await basic.GetAsync("/v1/entries")).Error(HttpStatusCode.Unauthorized, StatusCode.Unauthenticated);
    }

    [Fact]
    public async Task WrongRole_Is403_AndReadKeysRead()
    {
        using var auditor = fixture.Http(fixture.Keys.AcmeAuditor);
        var denied = (await auditor.PostAsync("/v1/optouts:add", s_addOne)).Error(HttpStatusCode.Forbidden, StatusCode.PermissionDenied);
        Assert.Contains("admin", denied.Message, StringComparison.Ordinal);
        (await auditor.PutAsync("/v1/inbound-addresses/+18005550121", new { description = "x" })).Error(HttpStatusCode.Forbidden, StatusCode.PermissionDenied);
        (await auditor.GetAsync("/v1/entries")).Ok();
        (await auditor.PostAsync("/v1/optouts:check", new { sender = "+18005550121", recipients = new[] { "+14155550100" } })).Ok();

        using var dispatcher = fixture.Http(fixture.Keys.AcmeDispatcher);
        (await dispatcher.GetAsync("/v1/entries")).Error(HttpStatusCode.Forbidden, StatusCode.PermissionDenied);
        (await dispatcher.PostAsync("/v1/mo-messages", JsonApiRoutesTests.Mo("+18005550121", "+14155550100", "STOP", "denied-1"))).Error(HttpStatusCode.Forbidden, StatusCode.PermissionDenied);

        using var carrier = fixture.Http(fixture.Keys.AcmeCarrier);
        (await carrier.PostAsync("/v1/checks", new { sender = "+18005550121", smsType = "SMS_TYPE_MARKETING", recipients = new[] { "+14155550100" } })).Error(HttpStatusCode.Forbidden, StatusCode.PermissionDenied);
    }

    [Fact]
    public async Task MalformedBodies_Are400_WithWhatIsWrong()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        var broken = (await admin.SendAsync(HttpMethod.Post, "/v1/optouts:add", "{\"sender\": ")).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.Contains("not correctly formatted", broken.Message, StringComparison.Ordinal);

        var form = (await admin.SendAsync(HttpMethod.Post, "/v1/optouts:add", "sender=x", "application/x-www-form-urlencoded")).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.Contains("not a known JSON content type", form.Message, StringComparison.Ordinal);

        var wrongType = (await admin.SendAsync(HttpMethod.Post, "/v1/optouts:add", "{\"recipients\": \"+14155550100\"}")).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.False(string.IsNullOrEmpty(wrongType.Message));

        // A misspelt member would otherwise be dropped: "recipient" for "recipients" would opt out nobody and answer 200.
        var misspelt = (await admin.PostAsync("/v1/optouts:add", new { scope = "SCOPE_SENDER", sender = "+18005550121", recipient = new[] { "+14155550100" }, reason = "r" })).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.Contains("'$.recipient'", misspelt.Message, StringComparison.Ordinal);
        Assert.Contains("recipients", misspelt.Message, StringComparison.Ordinal);
        var nested = (await admin.PutAsync("/v1/inbound-addresses/+18005550121", new { replyTexts = new[] { new { languageCode = "en", optOutTxt = "bye" } } })).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.Contains("'$.replyTexts[0].optOutTxt'", nested.Message, StringComparison.Ordinal);

        // Proto field names are accepted as well as JSON names, as the proto3 JSON mapping says.
        (await admin.SendAsync(HttpMethod.Post, "/v1/optouts:check", "{\"sender\": \"+18005550121\", \"recipients\": [\"+14155550100\"], \"app\": \"\"}")).Ok();
        (await admin.SendAsync(HttpMethod.Post, "/v1/history:check-at-time", "{\"recipient\": \"+14155550100\", \"sender\": \"+18005550121\", \"sms_type\": \"SMS_TYPE_MARKETING\"}")).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task BodiesOverTheReceiveLimit_Are413_WithOrWithoutALength()
    {
        using var dispatcher = fixture.Http(fixture.Keys.AcmeDispatcher);
        var huge = "{\"sender\": \"+18005550121\", \"smsType\": \"SMS_TYPE_MARKETING\", \"app\": \"" + new string('a', 5 * 1024 * 1024) + "\"}";
        (await dispatcher.SendAsync(HttpMethod.Post, "/v1/checks", huge)).Error(HttpStatusCode.RequestEntityTooLarge, StatusCode.ResourceExhausted);

        // Chunked, so no Content-Length tells the size in advance: the buffer's limit stops it.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/checks")
        {
            Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge))),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        using var response = await dispatcher.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Rpc:MaxReceiveMessageSize", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidValues_Are400_ButAnInvalidRecipientInABatchIsItsVerdict()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        using var dispatcher = fixture.Http(fixture.Keys.AcmeDispatcher);

        // A batch check never fails for one malformed number: that recipient gets INVALID_RECIPIENT, the others their verdict.
        var batch = (await dispatcher.PostAsync("/v1/checks", new { sender = "+18005550121", smsType = "SMS_TYPE_MARKETING", recipients = new[] { "12345", "+14155550109" } })).Ok().Json;
        Assert.Equal(["VERDICT_INVALID_RECIPIENT", "VERDICT_ALLOWED"], batch.GetProperty("verdicts").EnumerateArray().Select(v => v.GetString()!));

        (await dispatcher.PostAsync("/v1/checks", new { sender = "+18005550121", recipients = new[] { "+14155550100" } })).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        (await dispatcher.PostAsync("/v1/checks", new { sender = "", smsType = "SMS_TYPE_MARKETING", recipients = new[] { "+14155550100" } })).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        (await dispatcher.PostAsync("/v1/checks", new { sender = "+18005550121", smsType = "SMS_TYPE_NOPE", recipients = new[] { "+14155550100" } })).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        var tooMany = (await dispatcher.PostAsync("/v1/checks", new { sender = "+18005550121", smsType = "SMS_TYPE_MARKETING", recipients = Enumerable.Repeat("+14155550100", 10_001) })).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.Contains("10,000", tooMany.Message, StringComparison.Ordinal);

        var number = (await admin.PostAsync("/v1/history:check-at-time", new { recipient = "12345", sender = "+18005550121", smsType = "SMS_TYPE_MARKETING", time = "2026-01-01T00:00:00Z" })).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.Contains("E.164", number.Message, StringComparison.Ordinal);
        (await admin.PostAsync("/v1/history:check-at-time", new { recipient = "+14155550100", sender = "+18005550121", smsType = "SMS_TYPE_MARKETING", time = "yesterday" })).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task QueryParameters_ThatNameNoField_Are400_NotIgnored()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        var misspelt = (await admin.GetAsync("/v1/entries?filter.sendr=%2B18005550121")).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.Contains("filter.sendr", misspelt.Message, StringComparison.Ordinal);
        (await admin.GetAsync("/v1/entries?filter.sender=%2B18005550121&filter.time_range.start_time=2026-01-01T00:00:00Z")).Ok();
        (await admin.GetAsync("/v1/entries?filter.sender=%2B18005550121&filter.timeRange.startTime=2026-01-01T00:00:00Z")).Ok();

        var onBodyRoute = (await admin.SendAsync(HttpMethod.Post, "/v1/optouts:check?sender=%2B18005550121", "{\"recipients\": [\"+14155550100\"]}")).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
        Assert.Contains("JSON body", onBodyRoute.Message, StringComparison.Ordinal);

        // '+' in a query string is a space (HTML forms): an unencoded E.164 number is refused as malformed, never read
        // as another number. The README says to send %2B (curl -G --data-urlencode does).
        (await admin.GetAsync("/v1/history?filter.recipient=+14155550100")).Error(HttpStatusCode.BadRequest, StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task UnknownRoutesAndMissingResources_Are404_InJson()
    {
        using var admin = fixture.Http(fixture.Keys.AcmeOperator);
        var route = (await admin.GetAsync("/v1/optouts")).Error(HttpStatusCode.NotFound, StatusCode.NotFound);
        Assert.Contains("/openapi/v1.json", route.Message, StringComparison.Ordinal);
        (await admin.GetAsync("/v1/optouts:add")).Error(HttpStatusCode.NotFound, StatusCode.NotFound);
        (await admin.SendAsync(HttpMethod.Delete, "/v1/entries", body: null)).Error(HttpStatusCode.NotFound, StatusCode.NotFound);
        (await admin.GetAsync("/v1/inbound-addresses/+18005559999")).Error(HttpStatusCode.NotFound, StatusCode.NotFound);
        (await admin.GetAsync("/v1/removal-requests/rr-nope")).Error(HttpStatusCode.NotFound, StatusCode.NotFound);
    }

    [Fact]
    public async Task AnotherTenantsKey_SeesNoneOfItsData()
    {
        using var acme = fixture.Http(fixture.Keys.AcmeOperator);
        using var initech = fixture.Http(fixture.Keys.InitechOperator);
        (await acme.PostAsync("/v1/optouts:add", new { scope = "SCOPE_SENDER", sender = "+18005550122", recipients = new[] { "+14155550100" }, reason = "acme's" })).Ok();

        Assert.Single((await acme.GetAsync("/v1/entries?filter.sender=%2B18005550122")).Ok().Json.GetProperty("entries").EnumerateArray());
        Assert.Empty((await initech.GetAsync("/v1/entries?filter.sender=%2B18005550122")).Ok().Json.GetProperty("entries").EnumerateArray());
        var present = (await initech.PostAsync("/v1/optouts:check", new { sender = "+18005550122", recipients = new[] { "+14155550100" } })).Ok().Json;
        Assert.Equal("RECIPIENT_OUTCOME_NOT_PRESENT", present.GetProperty("results")[0].GetProperty("outcome").GetString());
    }
}
