using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>Malformed Admin requests are INVALID_ARGUMENT naming the field; a malformed recipient is only that recipient's outcome.</summary>
public sealed class AdminValidationTests
{
    [Fact]
    public async Task BadInput_IsInvalidArgument_NamingTheField()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new AdminClient(channel, null);
        var tooMany = new AddOptOutsRequest { Sender = "ACME" };
        tooMany.Recipients.AddRange(Enumerable.Range(0, 10_001).Select(i => "+1415" + (5_000_000 + i)));

        await AssertInvalid<AddOptOutsRequest, AddOptOutsResponse>(admin, "AddOptOuts", new AddOptOutsRequest { Recipients = { "+14155550100" } }, "sender");
        await AssertInvalid<AddOptOutsRequest, AddOptOutsResponse>(admin, "AddOptOuts", tooMany, "10,000");
        await AssertInvalid<AddOptOutsRequest, AddOptOutsResponse>(admin, "AddOptOuts", new AddOptOutsRequest { Sender = "ACME" }, "recipients");
        await AssertInvalid<AddOptOutsRequest, AddOptOutsResponse>(admin, "AddOptOuts", new AddOptOutsRequest { Sender = "ACME", Reason = new string('x', 501), Recipients = { "+14155550100" } }, "reason");
        await AssertInvalid<AddOptOutsRequest, AddOptOutsResponse>(admin, "AddOptOuts", new AddOptOutsRequest { Scope = Scope.Tenant, Sender = "ACME", Recipients = { "+14155550100" } }, "SCOPE_TENANT");
        await AssertInvalid<RemoveOptOutsRequest, RemoveOptOutsResponse>(admin, "RemoveOptOuts", new RemoveOptOutsRequest { Sender = "ACME", Override = true, Recipients = { "+14155550100" } }, "reason");
        await AssertInvalid<AddSuppressionsRequest, AddSuppressionsResponse>(admin, "AddSuppressions", new AddSuppressionsRequest { Sender = "ACME", SmsTypes = { (SmsType)42 }, Reason = "x", Recipients = { "+14155550100" } }, "sms_types");
        await AssertInvalid<AddSuppressionsRequest, AddSuppressionsResponse>(admin, "AddSuppressions", new AddSuppressionsRequest { Sender = "ACME", SmsTypes = { SmsType.Marketing }, Recipients = { "+14155550100" } }, "reason");
        await AssertInvalid<AddBypassesRequest, AddBypassesResponse>(admin, "AddBypasses", new AddBypassesRequest { Sender = "ACME", SmsTypes = { SmsType.Confirmation }, Reason = "x", Recipients = { "+14155550100" } }, "CONFIRMATION");
        await AssertInvalid<CheckOptOutsRequest, CheckOptOutsResponse>(admin, "CheckOptOuts", new CheckOptOutsRequest { Recipients = { "+14155550100" } }, "sender");
        await AssertInvalid<PutInboundAddressRequest, InboundAddress>(admin, "PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = "ACME", Keywords = { new Keyword { Text = "QUIT", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Exact } } } }, "STOP");
        await AssertInvalid<PutInboundAddressRequest, InboundAddress>(admin, "PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = "ACME", Keywords = { new Keyword { Text = new string('A', 31), Kind = KeywordKind.OptOut, MatchMode = MatchMode.Exact } } } }, "1-30");
        await AssertInvalid<PutInboundAddressRequest, InboundAddress>(admin, "PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = "ACME", ReplyTexts = { new ReplyText { LanguageCode = "en", OptOutText = new string('x', 1601) } }, DefaultLanguageCode = "en" } }, "opt_out_text");
        await AssertInvalid<PutBlockingRuleRequest, BlockingRule>(admin, "PutBlockingRule", new PutBlockingRuleRequest { Rule = new BlockingRule { Sender = "ACME", BlockedSmsTypes = { SmsType.Confirmation } } }, "blocked_sms_types");
        await AssertInvalid<UpdateTenantPolicyRequest, TenantPolicy>(admin, "UpdateTenantPolicy", new UpdateTenantPolicyRequest { Policy = new TenantPolicy { ReviewDueBusinessDays = 61 }, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "review_due_business_days" } } }, "review_due_business_days");
        await AssertInvalid<ListHistoryRequest, ListHistoryResponse>(admin, "ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Recipient = "+1 415" } }, "recipient");
    }

    [Fact]
    public async Task ConfigurationRoundTrip_KeywordsNormalized_RulesNeedTheAddress_DeletesAreRecords()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new AdminClient(channel, null);
        var address = new InboundAddress
        {
            Sender = "12345",
            Keywords =
            {
                new Keyword { Text = "  stop ", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Leading },
                new Keyword { Text = "Stop   all", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Leading, TenantWide = true },
                new Keyword { Text = "start", Kind = KeywordKind.OptIn, MatchMode = MatchMode.Exact },
                new Keyword { Text = "help", Kind = KeywordKind.Help, MatchMode = MatchMode.Leading },

                // The FCC's per-se words, which every keyword set keeps.
                new Keyword { Text = "quit", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Exact },
                new Keyword { Text = "end", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Exact },
                new Keyword { Text = "revoke", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Exact },
                new Keyword { Text = "opt-out", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Exact },
                new Keyword { Text = "cancel", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Exact },
                new Keyword { Text = "unsubscribe", Kind = KeywordKind.OptOut, MatchMode = MatchMode.Exact },
            },
            ReplyTexts = { new ReplyText { LanguageCode = "en", OptOutText = "You are unsubscribed." } },
            DefaultLanguageCode = "en",
        };

        var noAddress = await admin.StatusOfAsync<PutBlockingRuleRequest, BlockingRule>("PutBlockingRule", new PutBlockingRuleRequest { Rule = new BlockingRule { Sender = "12345", BlockedSmsTypes = { SmsType.Marketing } } });
        var put = await admin.CallAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest { InboundAddress = address });
        var got = await admin.CallAsync<GetInboundAddressRequest, InboundAddress>("GetInboundAddress", new GetInboundAddressRequest { Sender = "12345" });
        var rule = await admin.CallAsync<PutBlockingRuleRequest, BlockingRule>("PutBlockingRule", new PutBlockingRuleRequest { Rule = new BlockingRule { Sender = "12345", App = "app1", BlockedSmsTypes = { SmsType.Marketing, SmsType.Marketing } } });
        var rules = await admin.CallAsync<ListBlockingRulesRequest, ListBlockingRulesResponse>("ListBlockingRules", new ListBlockingRulesRequest());
        var policy = await admin.CallAsync<UpdateTenantPolicyRequest, TenantPolicy>("UpdateTenantPolicy", new UpdateTenantPolicyRequest { Policy = new TenantPolicy { RevokeAll = true }, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "revoke_all" } } });
        var deleted = await admin.CallAsync<DeleteInboundAddressRequest, DeleteInboundAddressResponse>("DeleteInboundAddress", new DeleteInboundAddressRequest { Sender = "12345" });
        var rulesAfter = await admin.CallAsync<ListBlockingRulesRequest, ListBlockingRulesResponse>("ListBlockingRules", new ListBlockingRulesRequest());
        var gone = await admin.StatusOfAsync<GetInboundAddressRequest, InboundAddress>("GetInboundAddress", new GetInboundAddressRequest { Sender = "12345" });
        var history = await admin.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest());

        Assert.Equal(StatusCode.NotFound, noAddress.StatusCode);
        Assert.Equal(["STOP", "STOP ALL", "START", "HELP", "QUIT", "END", "REVOKE", "OPT OUT", "CANCEL", "UNSUBSCRIBE"], put.Keywords.Select(k => k.Text));
        Assert.Equal(put.Keywords, put.EffectiveKeywords);
        Assert.True(put.UpdateSequence > 0);
        Assert.Equal(put, got);
        Assert.Equal([SmsType.Marketing], rule.BlockedSmsTypes);
        Assert.Single(rules.Rules);
        Assert.True(policy.RevokeAll);
        Assert.True(deleted.Sequence > policy.UpdateSequence);
        Assert.Empty(rulesAfter.Rules);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal([ChangeAction.ConfigPut, ChangeAction.ConfigPut, ChangeAction.ConfigPut, ChangeAction.ConfigDelete], history.Records.Select(r => r.Action));
    }

    private static async Task AssertInvalid<TRequest, TResponse>(AdminClient admin, string method, TRequest request, string mention)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new()
    {
        var status = await admin.StatusOfAsync<TRequest, TResponse>(method, request);
        Assert.True(status.StatusCode == StatusCode.InvalidArgument, $"{method}: {status}");
        Assert.True(status.Detail.Contains(mention, StringComparison.Ordinal), $"{method}: '{mention}' not in {status}");
    }
}
