using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>The opt-out API on the real server: many recipients per call, one result each, and what CheckBatch then sees.</summary>
public sealed class AdminEntriesTests
{
    private const string Sender = "+18005550100";

    [Fact]
    public async Task AddCheckRemove_TenThousandRecipients_OneResultEach_InOrder()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new AdminClient(channel, null);
        var recipients = Enumerable.Range(0, 9_998).Select(i => "+1415" + (5_000_000 + i)).Concat(["4155550100", "+0123456789"]).ToArray();

        var added = await admin.CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = Sender, Recipients = { recipients }, Reason = "bulk" });
        var again = await admin.CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = Sender, Recipients = { recipients[..3] } });
        var checkedOut = await admin.CallAsync<CheckOptOutsRequest, CheckOptOutsResponse>("CheckOptOuts", new CheckOptOutsRequest { Sender = Sender, Recipients = { recipients[0], "+14155550199", "bad" } });
        var removed = await admin.CallAsync<RemoveOptOutsRequest, RemoveOptOutsResponse>("RemoveOptOuts", new RemoveOptOutsRequest { Sender = Sender, Recipients = { recipients[0], "+14155550199" } });

        Assert.Equal(10_000, added.Results.Count);
        Assert.Equal(recipients, added.Results.Select(r => r.Recipient));
        Assert.All(added.Results.Take(9_998), r => Assert.Equal(RecipientOutcome.Added, r.Outcome));
        Assert.All(added.Results.Skip(9_998), r => Assert.Equal(RecipientOutcome.InvalidRecipient, r.Outcome));
        Assert.All(added.Results.Skip(9_998), r => Assert.NotEmpty(r.Message));
        Assert.Equal(added.Results.Max(r => r.Sequence), added.Sequence);
        Assert.Equal("bulk", added.Results[5].Entry.Reason);
        Assert.Equal(Source.Api, added.Results[5].Entry.Source);
        Assert.Equal(Scope.Sender, added.Results[5].Entry.Scope);

        Assert.All(again.Results, r => Assert.Equal(RecipientOutcome.AlreadyPresent, r.Outcome));
        Assert.Equal(added.Results[0].Sequence, again.Results[0].Sequence);
        Assert.Equal(0UL, again.Sequence);

        Assert.Equal([RecipientOutcome.Present, RecipientOutcome.NotPresent, RecipientOutcome.InvalidRecipient], checkedOut.Results.Select(r => r.Outcome));
        Assert.Equal(recipients[0], checkedOut.Results[0].Entry.Recipient);

        Assert.Equal([RecipientOutcome.Removed, RecipientOutcome.NotPresent], removed.Results.Select(r => r.Outcome));
        Assert.Equal(added.Results[0].Sequence, removed.Results[0].Entry.Sequence);
        Assert.True(removed.Sequence > added.Sequence);
    }

    [Fact]
    public async Task AddOptOuts_ThenCheckBatchAtThatSequence_IsBlocked_AndARuleEditChangesTheVerdict()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new AdminClient(channel, null);
        await admin.CallAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = Sender } });

        var added = await admin.CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = Sender, Recipients = { "+14155550100" } });
        var marketing = await admin.CheckBatchAsync(new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Marketing, Recipients = { "+14155550100", "+14155550101" }, MinSequence = added.Sequence });
        var notificationBefore = await admin.CheckBatchAsync(new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Notification, Recipients = { "+14155550100" } });

        var rule = await admin.CallAsync<PutBlockingRuleRequest, BlockingRule>("PutBlockingRule", new PutBlockingRuleRequest { Rule = new BlockingRule { Sender = Sender, BlockedSmsTypes = { SmsType.Marketing } } });
        var notificationAfter = await admin.CheckBatchAsync(new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Notification, Recipients = { "+14155550100" }, MinSequence = rule.UpdateSequence });
        var history = await admin.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Sender = Sender, Actions = { ChangeAction.ConfigPut } } });

        Assert.Equal([Verdict.BlockedOptedOut, Verdict.Allowed], marketing.Verdicts);
        Assert.Equal([Verdict.BlockedOptedOut], notificationBefore.Verdicts);
        Assert.Equal([Verdict.Allowed], notificationAfter.Verdicts);
        Assert.Equal(2, history.Records.Count);
        Assert.Equal(rule.UpdateSequence, history.Records[1].Sequence);
        Assert.Equal([SmsType.Marketing], history.Records[1].Config.BlockingRule.BlockedSmsTypes);
    }

    [Fact]
    public async Task SuppressionsAndBypasses_AddUpdateRemove_WithReasons()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new AdminClient(channel, null);
        const string r = "+14155550100";

        var suppressed = await admin.CallAsync<AddSuppressionsRequest, AddSuppressionsResponse>("AddSuppressions", new AddSuppressionsRequest { Scope = Scope.Tenant, Recipients = { r }, SmsTypes = { SmsType.Marketing }, Reason = "complaint" });
        var updated = await admin.CallAsync<AddSuppressionsRequest, AddSuppressionsResponse>("AddSuppressions", new AddSuppressionsRequest { Scope = Scope.Tenant, Recipients = { r }, SmsTypes = { SmsType.Marketing, SmsType.Confirmation }, Reason = "complaint" });
        var blocked = await admin.CheckBatchAsync(new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Marketing, Recipients = { r }, MinSequence = updated.Sequence });
        var unsuppressed = await admin.CallAsync<RemoveSuppressionsRequest, RemoveSuppressionsResponse>("RemoveSuppressions", new RemoveSuppressionsRequest { Scope = Scope.Tenant, Recipients = { r }, Reason = "resolved" });
        await admin.CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = Sender, Recipients = { r } });
        var bypass = await admin.CallAsync<AddBypassesRequest, AddBypassesResponse>("AddBypasses", new AddBypassesRequest { Sender = Sender, Recipients = { r }, SmsTypes = { SmsType.Verification }, Reason = "legal basis: account security" });
        var otp = await admin.CheckBatchAsync(new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Verification, Recipients = { r }, MinSequence = bypass.Sequence });
        var unbypassed = await admin.CallAsync<RemoveBypassesRequest, RemoveBypassesResponse>("RemoveBypasses", new RemoveBypassesRequest { Sender = Sender, Recipients = { r } });

        Assert.Equal(RecipientOutcome.Added, suppressed.Results[0].Outcome);
        Assert.Equal(RecipientOutcome.Updated, updated.Results[0].Outcome);
        Assert.Equal([SmsType.Marketing, SmsType.Confirmation], updated.Results[0].Entry.SmsTypes);
        Assert.Equal([Verdict.BlockedSuppressed], blocked.Verdicts);
        Assert.Equal(RecipientOutcome.Removed, unsuppressed.Results[0].Outcome);
        Assert.Equal(RecipientOutcome.Added, bypass.Results[0].Outcome);
        Assert.Equal([Verdict.AllowedBypass], otp.Verdicts);
        Assert.Equal(RecipientOutcome.Removed, unbypassed.Results[0].Outcome);
    }
}
