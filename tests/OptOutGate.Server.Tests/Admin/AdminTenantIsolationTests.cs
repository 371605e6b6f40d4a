using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Tenancy;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>With two tenants' admin keys, one tenant can neither see nor change the other's data through any Admin RPC.</summary>
public sealed class AdminTenantIsolationTests
{
    private const string Sender = "+18005550100";
    private const string Recipient = "+14155550100";

    [Fact]
    public async Task TenantBKey_NeitherSeesNorChangesTenantAData_OnEveryAdminRpc()
    {
        var keys = new TestKeys();
        await using var gate = await GateTestServer.StartAsync(keys.Settings());
        var channel = gate.Channel;
        var acme = new AdminClient(channel, keys.AcmeOperator);
        var initech = new AdminClient(channel, keys.InitechOperator);

        // Tenant A (acme): an address, a rule, a policy, an opt-out, a suppression and a bypass.
        await acme.CallAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = Sender } });
        await acme.CallAsync<PutBlockingRuleRequest, BlockingRule>("PutBlockingRule", new PutBlockingRuleRequest { Rule = new BlockingRule { Sender = Sender, BlockedSmsTypes = { SmsType.Marketing } } });
        await acme.CallAsync<UpdateTenantPolicyRequest, TenantPolicy>("UpdateTenantPolicy", new UpdateTenantPolicyRequest { Policy = new TenantPolicy { RevokeAll = true } });
        await acme.CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = Sender, Recipients = { Recipient } });
        await acme.CallAsync<AddSuppressionsRequest, AddSuppressionsResponse>("AddSuppressions", new AddSuppressionsRequest { Sender = Sender, Recipients = { Recipient }, SmsTypes = { SmsType.Notification }, Reason = "mute" });
        await acme.CallAsync<AddBypassesRequest, AddBypassesResponse>("AddBypasses", new AddBypassesRequest { Sender = Sender, Recipients = { Recipient }, SmsTypes = { SmsType.Verification }, Reason = "otp" });

        // Tenant B (initech) reads: nothing of A's.
        Assert.Equal(StatusCode.NotFound, (await initech.StatusOfAsync<GetInboundAddressRequest, InboundAddress>("GetInboundAddress", new GetInboundAddressRequest { Sender = Sender })).StatusCode);
        Assert.Empty((await initech.CallAsync<ListInboundAddressesRequest, ListInboundAddressesResponse>("ListInboundAddresses", new ListInboundAddressesRequest())).InboundAddresses);
        Assert.Empty((await initech.CallAsync<ListBlockingRulesRequest, ListBlockingRulesResponse>("ListBlockingRules", new ListBlockingRulesRequest())).Rules);
        Assert.False((await initech.CallAsync<GetTenantPolicyRequest, TenantPolicy>("GetTenantPolicy", new GetTenantPolicyRequest())).RevokeAll);
        Assert.Equal(RecipientOutcome.NotPresent, (await initech.CallAsync<CheckOptOutsRequest, CheckOptOutsResponse>("CheckOptOuts", new CheckOptOutsRequest { Sender = Sender, Recipients = { Recipient } })).Results[0].Outcome);
        Assert.Empty((await initech.CallAsync<ListEntriesRequest, ListEntriesResponse>("ListEntries", new ListEntriesRequest())).Entries);
        Assert.Empty((await initech.CallAsync<ListEntriesRequest, ListEntriesResponse>("ListEntries", new ListEntriesRequest { Filter = new EntryFilter { Recipient = Recipient } })).Entries);
        Assert.Empty((await initech.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest())).Records);
        Assert.Empty((await initech.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Recipient = Recipient } })).Records);
        Assert.Empty((await initech.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Sender = Sender } })).Records);
        Assert.Single((await initech.ExportAsync("ExportEntries", new ExportEntriesRequest())).Lines);
        Assert.Single((await initech.ExportAsync("ExportHistory", new ExportHistoryRequest())).Lines);
        var atTime = await initech.CallAsync<CheckAtTimeRequest, CheckAtTimeResponse>("CheckAtTime", new CheckAtTimeRequest { Recipient = Recipient, Sender = Sender, SmsType = SmsType.Marketing, Time = Timestamp.FromDateTime(DateTime.UtcNow) });
        Assert.Equal(Verdict.Allowed, atTime.Verdict);

        // Tenant B writes: nothing of A's changes.
        Assert.Equal(RecipientOutcome.NotPresent, (await initech.CallAsync<RemoveOptOutsRequest, RemoveOptOutsResponse>("RemoveOptOuts", new RemoveOptOutsRequest { Sender = Sender, Recipients = { Recipient }, Override = true, Reason = "x" })).Results[0].Outcome);
        Assert.Equal(RecipientOutcome.NotPresent, (await initech.CallAsync<RemoveSuppressionsRequest, RemoveSuppressionsResponse>("RemoveSuppressions", new RemoveSuppressionsRequest { Sender = Sender, Recipients = { Recipient }, Reason = "x" })).Results[0].Outcome);
        Assert.Equal(RecipientOutcome.NotPresent, (await initech.CallAsync<RemoveBypassesRequest, RemoveBypassesResponse>("RemoveBypasses", new RemoveBypassesRequest { Sender = Sender, Recipients = { Recipient } })).Results[0].Outcome);
        Assert.Equal(StatusCode.NotFound, (await initech.StatusOfAsync<DeleteBlockingRuleRequest, DeleteBlockingRuleResponse>("DeleteBlockingRule", new DeleteBlockingRuleRequest { Sender = Sender })).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await initech.StatusOfAsync<PutBlockingRuleRequest, BlockingRule>("PutBlockingRule", new PutBlockingRuleRequest { Rule = new BlockingRule { Sender = Sender, BlockedSmsTypes = { SmsType.Verification } } })).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await initech.StatusOfAsync<DeleteInboundAddressRequest, DeleteInboundAddressResponse>("DeleteInboundAddress", new DeleteInboundAddressRequest { Sender = Sender })).StatusCode);
        await initech.CallAsync<UpdateTenantPolicyRequest, TenantPolicy>("UpdateTenantPolicy", new UpdateTenantPolicyRequest { Policy = new TenantPolicy { RevokeAll = false, ReviewDueBusinessDays = 3 } });
        await initech.CallAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = Sender, Description = "initech's" } });
        await initech.CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = Sender, Recipients = { "+14155550199" } });

        // Tenant A still has everything, unchanged, and sees none of B's.
        var address = await acme.CallAsync<GetInboundAddressRequest, InboundAddress>("GetInboundAddress", new GetInboundAddressRequest { Sender = Sender });
        Assert.Equal("", address.Description);
        Assert.Single((await acme.CallAsync<ListBlockingRulesRequest, ListBlockingRulesResponse>("ListBlockingRules", new ListBlockingRulesRequest())).Rules);
        var policy = await acme.CallAsync<GetTenantPolicyRequest, TenantPolicy>("GetTenantPolicy", new GetTenantPolicyRequest());
        Assert.True(policy.RevokeAll);
        Assert.Equal(0, policy.ReviewDueBusinessDays);
        var entries = await acme.CallAsync<ListEntriesRequest, ListEntriesResponse>("ListEntries", new ListEntriesRequest());
        Assert.Equal([EntryKind.OptOut, EntryKind.Suppression, EntryKind.Bypass], entries.Entries.Select(e => e.Kind));
        Assert.All(entries.Entries, e => Assert.Equal(Recipient, e.Recipient));
        var history = await acme.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest());
        Assert.Equal(6, history.Records.Count);
        Assert.All(history.Records, r => Assert.Equal("acme", r.TenantId));
        Assert.All(history.Records, r => Assert.Equal("operator", r.ActorKeyId));
    }
}
