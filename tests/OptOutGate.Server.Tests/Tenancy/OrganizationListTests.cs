using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Mo;
using OptOutGate.Server.Tests.Readiness;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>
/// Seed 004's example (CM.com): organization "cm" with accounts A, B and C, B on its own list; D an account of another
/// organization. An MO STOP at one account's sender blocks the organization's other accounts on the shared list at the
/// same scope, never B; B's own opt-outs block only B; D sees nothing of either. History, exports, explanations and the
/// change stream follow: the shared list's records are visible to every account on it, each naming the account that
/// made it ("a/carrier"). Through the real server with API keys.
/// </summary>
public sealed class OrganizationListTests
{
    private const string S = GateApi.Sender;
    private const string Stopped = "+14155550501";
    private const string StoppedAtB = "+14155550502";

    [Fact]
    public async Task SharedList_BlocksEveryAccountOnIt_OwnListAndOtherTenantsSeeNothing()
    {
        var a = new TenantKeys("a");
        var b = new TenantKeys("b");
        var c = new TenantKeys("c");
        var d = new TenantKeys("d");
        var settings = new[] { a, b, c, d }.SelectMany(t => t.Settings()).ToDictionary(p => p.Key, p => p.Value);
        settings["Tenancy:Organizations:cm:Accounts:a:List"] = "Shared";
        settings["Tenancy:Organizations:cm:Accounts:b:List"] = "Own";
        settings["Tenancy:Organizations:cm:Accounts:c:List"] = "Shared";
        settings["Tenancy:Organizations:other:Accounts:d:List"] = "Shared";
        await using var gate = await GateTestServer.StartAsync(settings);
        var channel = gate.Channel;

        // A configures the shared list's inbound address; A's carrier records a STOP there; B's carrier one at B's.
        await new MoClient(channel, a.Admin).PutAddressAsync();
        await new MoClient(channel, b.Admin).PutAddressAsync();
        var stop = await new MoClient(channel, a.Mo).RecordAsync(MoClient.Message(Stopped, "STOP", "a-1"));
        Assert.Equal(MoAction.OptedOut, stop.Action);
        var stopAtB = await new MoClient(channel, b.Mo).RecordAsync(MoClient.Message(StoppedAtB, "STOP", "b-1"));
        Assert.Equal(MoAction.OptedOut, stopAtB.Action);

        Assert.Equal([Verdict.BlockedOptedOut, Verdict.Allowed], await VerdictsAsync(channel, a));
        Assert.Equal([Verdict.BlockedOptedOut, Verdict.Allowed], await VerdictsAsync(channel, c));
        Assert.Equal([Verdict.Allowed, Verdict.BlockedOptedOut], await VerdictsAsync(channel, b));
        Assert.Equal([Verdict.Allowed, Verdict.Allowed], await VerdictsAsync(channel, d));

        // C's explanation names the account and key that made the entry.
        var explained = await new GateApi(channel, c.Check).CheckBatchAsync(new CheckBatchRequest { Sender = S, SmsType = SmsType.Marketing, Recipients = { Stopped }, Explain = true });
        Assert.Equal("a/carrier", Assert.Single(explained.Explanations).Entry.ActorKeyId);
        Assert.Equal("STOP", explained.Explanations[0].Entry.MoText);

        // History: the shared list's records for both accounts on it, with the actor's account; none for B or D.
        var historyOfC = await HistoryAsync(channel, c, Stopped);
        Assert.Contains(historyOfC, r => r.Action == ChangeAction.OptOut && r.ActorKeyId == "a/carrier" && r.TenantId == "cm");
        Assert.Equal(historyOfC.Select(r => r.Sequence), (await HistoryAsync(channel, a, Stopped)).Select(r => r.Sequence));
        Assert.Empty(await HistoryAsync(channel, b, Stopped));
        Assert.Empty(await HistoryAsync(channel, d, Stopped));
        Assert.Empty(await HistoryAsync(channel, c, StoppedAtB));

        // Exports: the same split.
        Assert.Contains(Stopped, await new GateApi(channel, c.Admin).ExportAsync("ExportEntries", new ExportEntriesRequest()), StringComparison.Ordinal);
        var exportOfB = await new GateApi(channel, b.Admin).ExportAsync("ExportEntries", new ExportEntriesRequest());
        Assert.DoesNotContain(Stopped, exportOfB, StringComparison.Ordinal);
        Assert.Contains(StoppedAtB, exportOfB, StringComparison.Ordinal);

        // A write by C lands on the shared list: A is blocked too.
        const string addedByC = "+14155550503";
        await new GateApi(channel, c.Admin).CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = S, Recipients = { addedByC }, Reason = "call centre" });
        Assert.Equal(Verdict.BlockedOptedOut, (await new GateApi(channel, a.Check).CheckBatchAsync(new CheckBatchRequest { Sender = S, SmsType = SmsType.Marketing, Recipients = { addedByC } })).Verdicts[0]);
        Assert.Equal(Verdict.Allowed, (await new GateApi(channel, b.Check).CheckBatchAsync(new CheckBatchRequest { Sender = S, SmsType = SmsType.Marketing, Recipients = { addedByC } })).Verdicts[0]);

        // The change stream names lists: C's admin key reads list "cm" (A's STOP among its records), B's only "b".
        var head = (await new GateApi(channel, a.Check).CheckBatchAsync(new CheckBatchRequest { Sender = S, SmsType = SmsType.Marketing })).Sequence;
        var changesOfC = await ChangesAsync(channel, c.Admin, head);
        Assert.All(changesOfC, r => Assert.Equal("cm", r.TenantId));
        Assert.Contains(changesOfC, r => r.Recipient == Stopped && r.ActorKeyId == "a/carrier");
        Assert.Contains(changesOfC, r => r.Recipient == addedByC && r.ActorKeyId == "c/ops");
        var changesOfB = await ChangesAsync(channel, b.Admin, head);
        Assert.All(changesOfB, r => Assert.Equal("b", r.TenantId));
        Assert.DoesNotContain(changesOfB, r => r.Recipient == Stopped);
    }

    [Fact]
    public async Task FourEyes_KeysOfTheSameNameInTwoAccountsAreTwoPeople()
    {
        var a = new TenantKeys("a");
        var c = new TenantKeys("c");
        var settings = new[] { a, c }.SelectMany(t => t.Settings()).ToDictionary(p => p.Key, p => p.Value);
        settings["Tenancy:Organizations:cm:Accounts:a:List"] = "Shared";
        settings["Tenancy:Organizations:cm:Accounts:c:List"] = "Shared";
        await using var gate = await GateTestServer.StartAsync(settings);
        await new MoClient(gate.Channel, a.Admin).PutAddressAsync();
        await new MoClient(gate.Channel, a.Mo).RecordAsync(MoClient.Message(Stopped, "STOP", "a-1"));
        var aOps = new GateApi(gate.Channel, a.Admin);
        var request = await aOps.CallAsync<CreateRemovalRequestRequest, RemovalRequest>("CreateRemovalRequest", new CreateRemovalRequestRequest { Sender = S, Recipient = Stopped, Reason = "asked by phone" });

        var self = await aOps.StatusOfAsync<ReviewRemovalRequestRequest, RemovalRequest>("ReviewRemovalRequest", new ReviewRemovalRequestRequest { Id = request.Id, Decision = ReviewDecision.Approve, Note = "ok" });
        Assert.Equal(StatusCode.PermissionDenied, self.StatusCode);
        var approved = await new GateApi(gate.Channel, c.Admin).CallAsync<ReviewRemovalRequestRequest, RemovalRequest>("ReviewRemovalRequest", new ReviewRemovalRequestRequest { Id = request.Id, Decision = ReviewDecision.Approve, Note = "ok" });
        Assert.Equal(RemovalRequestState.Approved, approved.State);
    }

    private static async Task<Verdict[]> VerdictsAsync(GrpcChannel channel, TenantKeys account) =>
        [.. (await new GateApi(channel, account.Check).CheckBatchAsync(new CheckBatchRequest { Sender = S, SmsType = SmsType.Marketing, Recipients = { Stopped, StoppedAtB } })).Verdicts];

    private static async Task<List<ChangeRecord>> HistoryAsync(GrpcChannel channel, TenantKeys account, string recipient) =>
        [.. (await new GateApi(channel, account.Admin).CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Recipient = recipient } })).Records];

    /// <summary>The change stream up to <paramref name="head"/> (the sequence a check answered from: every record written).</summary>
    private static async Task<List<ChangeRecord>> ChangesAsync(GrpcChannel channel, string adminKey, ulong head)
    {
        var api = new GateApi(channel, adminKey);
        using var call = new ChangesRpcClient(channel).StreamChanges(new StreamChangesRequest { FromSequence = 1, ToSequence = head }, api.Options());
        var records = new List<ChangeRecord>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            records.AddRange(response.Records);
        }

        return records;
    }
}
