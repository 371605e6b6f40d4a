using System.Text;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Mo;

namespace OptOutGate.Server.Tests.Gate;

/// <summary>
/// The reproductions 6-8 and the contract's rules around them, against the real server process: bypass scope
/// (a bypass lifts opt-outs of its own or a wider scope, never a suppression, and says what keeps blocking), numbering
/// plans (no ALLOWED for a number no plan allows; the country stored and exported), the FCC's per-se keywords, the
/// tenant's default blocking rule, four eyes on removals, and the contract's names in answers.
/// </summary>
public sealed class ComplianceTests
{
    private const string Sender = MoClient.Address;

    [Fact]
    public async Task Reproduction6_ABypassNeverLiftsASuppression_AndSaysSo()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new MoClient(channel);
        const string r = "+14155550201";
        await admin.AdminAsync<AddSuppressionsRequest, AddSuppressionsResponse>("AddSuppressions", new AddSuppressionsRequest
        {
            Scope = Scope.Sender, Sender = Sender, Recipients = { r }, SmsTypes = { SmsType.Marketing }, Reason = "complaint",
        });
        var bypass = await admin.AdminAsync<AddBypassesRequest, AddBypassesResponse>("AddBypasses", new AddBypassesRequest
        {
            Scope = Scope.Sender, Sender = Sender, Recipients = { r }, SmsTypes = { SmsType.Marketing }, Reason = "contract",
        });

        Assert.Equal(Verdict.BlockedSuppressed, await admin.CheckAsync(r, SmsType.Marketing));
        var result = Assert.Single(bypass.Results);
        Assert.Equal(RecipientOutcome.Added, result.Outcome);
        var blocking = Assert.Single(result.StillBlocking);
        Assert.Equal(EntryKind.Suppression, blocking.Kind);
        Assert.Equal("complaint", blocking.Reason);
        Assert.Contains("never lifts a suppression", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reproduction7_ATenantWideBypassDoesNotLiftANarrowerOptOut()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new MoClient(channel);
        const string r = "+14155550202";
        const string lifted = "+14155550203";
        await admin.AdminAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Recipients = { r } });
        await admin.AdminAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Scope = Scope.Tenant, Recipients = { lifted } });
        var bypass = await admin.AdminAsync<AddBypassesRequest, AddBypassesResponse>("AddBypasses", new AddBypassesRequest
        {
            Scope = Scope.Tenant, Recipients = { r, lifted }, SmsTypes = { SmsType.Marketing }, Reason = "legal basis",
        });

        Assert.Equal(Verdict.BlockedOptedOut, await admin.CheckAsync(r, SmsType.Marketing));
        var warned = bypass.Results[0];
        Assert.Equal(EntryKind.OptOut, Assert.Single(warned.StillBlocking).Kind);
        Assert.Equal(Scope.Sender, warned.StillBlocking[0].Scope);

        // Its own scope: the tenant-wide opt-out is lifted, and nothing is left to warn about.
        Assert.Equal(Verdict.AllowedBypass, await admin.CheckAsync(lifted, SmsType.Marketing));
        Assert.Empty(bypass.Results[1].StillBlocking);
        Assert.Equal("", bypass.Results[1].Message);

        // A sender bypass lifts the sender's opt-out (its own scope) as well.
        await admin.AdminAsync<AddBypassesRequest, AddBypassesResponse>("AddBypasses", new AddBypassesRequest
        {
            Scope = Scope.Sender, Sender = Sender, Recipients = { r }, SmsTypes = { SmsType.Marketing }, Reason = "legal basis",
        });
        Assert.Equal(Verdict.AllowedBypass, await admin.CheckAsync(r, SmsType.Marketing));
    }

    [Theory]
    [InlineData("+10005550000")]
    [InlineData("+999123456789")]
    [InlineData("+14155550")]
    [InlineData("+12345678")]
    [InlineData("+14151550100")]
    public async Task Reproduction8_NumbersNoNumberingPlanAllows_AreInvalidEverywhere(string number)
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new MoClient(channel);
        await admin.PutAddressAsync();

        Assert.Equal(Verdict.InvalidRecipient, await admin.CheckAsync(number, SmsType.Marketing));
        var add = await admin.AdminAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Recipients = { number } });
        Assert.Equal(RecipientOutcome.InvalidRecipient, add.Results[0].Outcome);
        Assert.Contains("numbering plan", add.Results[0].Message, StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<RpcException>(() => admin.RecordAsync(MoClient.Message(number, "STOP", "bad-" + number)));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("from_number", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Countries_AreStoredWithEachEntry_AndReturnedInListsChecksHistoryAndExports()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new MoClient(channel);
        var numbers = new Dictionary<string, string>
        {
            ["+14155552671"] = "US", ["+16135550123"] = "CA", ["+447400123456"] = "GB", ["+4915123456789"] = "DE",
            ["+33612345678"] = "FR", ["+393123456789"] = "IT", ["+819012345678"] = "JP", ["+5511961234567"] = "BR",
        };
        await admin.AdminAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Recipients = { numbers.Keys } });

        var list = await admin.AdminAsync<ListEntriesRequest, ListEntriesResponse>("ListEntries", new ListEntriesRequest { PageSize = 100 });
        Assert.Equal(numbers, list.Entries.ToDictionary(e => e.Recipient, e => e.Country));
        var check = await admin.AdminAsync<CheckOptOutsRequest, CheckOptOutsResponse>("CheckOptOuts", new CheckOptOutsRequest { Sender = Sender, Recipients = { numbers.Keys } });
        Assert.Equal(numbers.Values, check.Results.Select(r => r.Entry.Country));
        var history = await admin.AdminAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { PageSize = 100 });
        Assert.Equal(numbers, history.Records.ToDictionary(h => h.Recipient, h => h.Country));

        var entriesCsv = await CsvAsync(channel, "ExportEntries", new ExportEntriesRequest());
        Assert.EndsWith(",country", entriesCsv[0], StringComparison.Ordinal);
        foreach (var (number, country) in numbers)
        {
            Assert.Contains(entriesCsv, row => row.Contains(number, StringComparison.Ordinal) && row.EndsWith("," + country, StringComparison.Ordinal));
        }

        var historyCsv = await CsvAsync(channel, "ExportHistory", new ExportHistoryRequest());
        var column = historyCsv[0].Split(',').ToList().IndexOf("country");
        Assert.True(column > 0);
        Assert.All(historyCsv.Skip(1), row => Assert.Equal(numbers[row.Split(',')[4]], row.Split(',')[column]));
    }

    [Fact]
    public async Task AKeywordSet_CannotDropTheFccPerSeWords()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new MoClient(channel);
        var address = new InboundAddress
        {
            Sender = Sender,
            Keywords =
            {
                new Keyword { Text = "STOP", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Leading },
                new Keyword { Text = "START", Kind = KeywordKind.OptIn, MatchMode = MatchMode.Exact },
                new Keyword { Text = "HELP", Kind = KeywordKind.Help, MatchMode = MatchMode.Leading },
                new Keyword { Text = "QUIT", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Exact },
            },
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => admin.AdminAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest { InboundAddress = address }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        foreach (var word in (string[])["END", "REVOKE", "OPT OUT", "CANCEL", "UNSUBSCRIBE"])
        {
            Assert.Contains(word + " (KEYWORD_KIND_OPT_OUT)", error.Status.Detail, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("QUIT (", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTenantDefaultRule_ExemptsVerification_AtSendersWithoutARuleOfTheirOwn()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new MoClient(channel);
        const string r = "+14155550204";
        await admin.AdminAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Scope = Scope.Sender, Sender = "ACME", Recipients = { r } });
        Assert.Equal(Verdict.BlockedOptedOut, await admin.CheckAsync(r, SmsType.Verification, "ACME"));

        var rule = await admin.AdminAsync<PutBlockingRuleRequest, BlockingRule>("PutBlockingRule", new PutBlockingRuleRequest
        {
            Rule = new BlockingRule { Sender = "", BlockedSmsTypes = { SmsType.Marketing, SmsType.Notification } },
        });
        Assert.Equal("", rule.Sender);
        Assert.Equal(Verdict.Allowed, await admin.CheckAsync(r, SmsType.Verification, "ACME"));
        Assert.Equal(Verdict.BlockedOptedOut, await admin.CheckAsync(r, SmsType.Marketing, "ACME"));

        await admin.AdminAsync<DeleteBlockingRuleRequest, DeleteBlockingRuleResponse>("DeleteBlockingRule", new DeleteBlockingRuleRequest { Sender = "" });
        Assert.Equal(Verdict.BlockedOptedOut, await admin.CheckAsync(r, SmsType.Verification, "ACME"));
    }

    [Fact]
    public async Task FourEyes_TheKeyThatRequestedARemovalCannotApproveIt()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();
        const string r = "+14155550205";
        await mo.RecordAsync(MoOrderingTests.At(r, "STOP", "fe-1", DateTime.UtcNow));
        var request = await mo.AdminAsync<CreateRemovalRequestRequest, RemovalRequest>("CreateRemovalRequest", new CreateRemovalRequestRequest
        {
            Scope = Scope.Sender, Sender = Sender, Recipient = r, Reason = "re-subscribed by phone",
        });

        var error = await Assert.ThrowsAsync<RpcException>(() => mo.AdminAsync<ReviewRemovalRequestRequest, RemovalRequest>("ReviewRemovalRequest", new ReviewRemovalRequestRequest
        {
            Id = request.Id, Decision = ReviewDecision.Approve, Note = "ok",
        }));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync(r, SmsType.Marketing));

        // The requester may withdraw it.
        var rejected = await mo.AdminAsync<ReviewRemovalRequestRequest, RemovalRequest>("ReviewRemovalRequest", new ReviewRemovalRequestRequest
        {
            Id = request.Id, Decision = ReviewDecision.Reject, Note = "withdrawn",
        });
        Assert.Equal(RemovalRequestState.Rejected, rejected.State);
    }

    [Fact]
    public async Task Answers_UseTheContractsNames_AndExplanationsNameTheKeywordAndDate()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();
        const string r = "+14155550206";
        var stop = await mo.RecordAsync(MoOrderingTests.At(r, "Stop.", "cn-1", new DateTime(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc)));

        var explained = await gate.Gate.CheckBatchAsync(
            new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Marketing, Recipients = { r }, Explain = true },
            MoClient.Deadline());
        var explanation = Assert.Single(explained.Explanations);
        Assert.StartsWith($"opted out by MO 'STOP' at {Sender} on 2026-01-05", explanation.Reason, StringComparison.Ordinal);
        Assert.Contains("SMS_TYPE_MARKETING", explanation.Reason, StringComparison.Ordinal);
        Assert.Equal("US", explanation.Entry.Country);

        var atTime = await mo.AdminAsync<CheckAtTimeRequest, CheckAtTimeResponse>("CheckAtTime", new CheckAtTimeRequest
        {
            Recipient = r, Sender = Sender, SmsType = SmsType.Marketing, Time = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow),
        });
        Assert.Equal(Verdict.BlockedOptedOut, atTime.Verdict);
        Assert.StartsWith($"opted out by MO 'STOP' at {Sender} on 2026-01-05", atTime.Explanation.Reason, StringComparison.Ordinal);

        // The tenant's latest record at or before the time: here the confirmation the STOP's reply spent.
        Assert.Equal(stop.Sequence + 1, atTime.Sequence);

        var error = await Assert.ThrowsAsync<RpcException>(() => mo.AdminAsync<AddSuppressionsRequest, AddSuppressionsResponse>("AddSuppressions", new AddSuppressionsRequest
        {
            Scope = Scope.Sender, Sender = Sender, Recipients = { r }, SmsTypes = { SmsType.Unspecified }, Reason = "x",
        }));
        Assert.Contains("SMS_TYPE_UNSPECIFIED", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Unspecified", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolvingAReviewItem_AnswersTheItemWithItsDueTime()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();
        var ambiguous = await mo.RecordAsync(MoOrderingTests.At("+14155550207", "when does the sale END", "rv-1", DateTime.UtcNow));
        var resolved = await mo.AdminAsync<ResolveReviewItemRequest, ResolveReviewItemResponse>("ResolveReviewItem", new ResolveReviewItemRequest
        {
            Id = ambiguous.ReviewItemId, Resolution = ReviewResolution.NotOptOut,
        });

        Assert.NotNull(resolved.Item.DueTime);
        Assert.True(resolved.Item.DueTime.ToDateTime() > resolved.Item.ReceiveTime.ToDateTime());
        Assert.False(resolved.Item.Overdue);
    }

    private static async Task<List<string>> CsvAsync<TRequest>(GrpcChannel channel, string method, TRequest request)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
    {
        var call = channel.CreateCallInvoker().AsyncServerStreamingCall(
            Calls.MethodOf<TRequest, CsvChunk>(AdminReflection.Descriptor.Services[0].FindMethodByName(method)),
            null,
            MoClient.Deadline(),
            request);
        var text = new StringBuilder();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            text.Append(chunk.Data.ToStringUtf8());
        }

        return [.. text.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries)];
    }
}
