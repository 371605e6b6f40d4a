using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Mo;
using OptOutGate.Server.Tests.Readiness;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>
/// Moving an account off its organization's shared list is a configuration change, and no configuration change may make
/// an opted-out recipient sendable. Against the real server process on one data folder: accounts A, B and C of "cm" on
/// the shared list, B's carrier records a STOP, A's admin a tenant-wide opt-out, C's admin a suppression; restarted with
/// B on its own list, B is still blocked for each of them (the start copied them to B's list, with source IMPORT, the
/// shared list named and actor gate:list-move), A unchanged; a third start copies nothing again; and a start that moves
/// A straight onto another organization's shared list is refused.
/// </summary>
[Collection(DamagedMetadataProcessesCollection.Name)]
public sealed class AccountListMoveTests
{
    private const string S = GateApi.Sender;
    private const string StoppedAtB = "+14155550701";
    private const string TenantWide = "+14155550702";
    private const string Suppressed = "+14155550703";
    private const string Never = "+14155550704";
    private const string Moved = "Account 'b' moved off organization 'cm''s shared list";

    private readonly TenantKeys _a = new("a");
    private readonly TenantKeys _b = new("b");
    private readonly TenantKeys _c = new("c");

    [Fact]
    public async Task AccountMovedToItsOwnList_StaysBlockedForEveryRecipientTheSharedListBlocked()
    {
        string data;
        await using (var shared = await GateProcess.StartAsync(Settings(("a", "Shared"), ("b", "Shared"), ("c", "Shared"))))
        {
            data = shared.DataDirectory;
            using var channel = GrpcChannel.ForAddress(shared.GrpcAddress);
            await new MoClient(channel, _a.Admin).PutAddressAsync();
            Assert.Equal(MoAction.OptedOut, (await new MoClient(channel, _b.Mo).RecordAsync(MoClient.Message(StoppedAtB, "STOP", "b-1"))).Action);
            await new GateApi(channel, _a.Admin).CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Scope = Scope.Tenant, Recipients = { TenantWide }, Reason = "asked by phone" });
            await new GateApi(channel, _c.Admin).CallAsync<AddSuppressionsRequest, AddSuppressionsResponse>("AddSuppressions", new AddSuppressionsRequest
            {
                Scope = Scope.Sender, Sender = S, Recipients = { Suppressed }, SmsTypes = { SmsType.Marketing }, Reason = "complaint",
            });
            Assert.Equal([Verdict.BlockedOptedOut, Verdict.BlockedTenantOptOut, Verdict.BlockedSuppressed, Verdict.Allowed], await VerdictsAsync(channel, _b));
            await StopAsync(shared);
        }

        await using (var own = await GateProcess.StartAsync(Settings(("a", "Shared"), ("b", "Own"), ("c", "Shared")), data))
        {
            Assert.Contains(Moved + " to its own: 3 opt-outs and suppressions of the shared list copied", own.Output, StringComparison.Ordinal);
            using var channel = GrpcChannel.ForAddress(own.GrpcAddress);
            Assert.Equal([Verdict.BlockedOptedOut, Verdict.BlockedTenantOptOut, Verdict.BlockedSuppressed, Verdict.Allowed], await VerdictsAsync(channel, _b));
            Assert.Equal([Verdict.BlockedOptedOut, Verdict.BlockedTenantOptOut, Verdict.BlockedSuppressed, Verdict.Allowed], await VerdictsAsync(channel, _a));

            // B's copy says where it came from; the shared list's history keeps the original (the STOP, by b/carrier).
            var explained = await new GateApi(channel, _b.Check).CheckBatchAsync(new CheckBatchRequest { Sender = S, SmsType = SmsType.Marketing, Recipients = { StoppedAtB }, Explain = true });
            var entry = Assert.Single(explained.Explanations).Entry;
            Assert.Equal((Source.Import, "gate:list-move", Scope.Sender), (entry.Source, entry.ActorKeyId, entry.Scope));
            Assert.Contains("kept from organization 'cm''s shared list when account 'b' moved to its own list", entry.Reason, StringComparison.Ordinal);
            var original = await new MoClient(channel, _a.Admin).HistoryAsync(StoppedAtB);
            Assert.Contains(original, r => r.TenantId == "cm" && r.ActorKeyId == "b/carrier" && r.MoText == "STOP");

            // B's own list is B's alone now: an opt-out A makes no longer reaches it.
            await new GateApi(channel, _a.Admin).CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = S, Recipients = { Never }, Reason = "after the move" });
            Assert.Equal(Verdict.Allowed, (await VerdictsAsync(channel, _b))[3]);
            await StopAsync(own);
        }

        await using (var again = await GateProcess.StartAsync(Settings(("a", "Shared"), ("b", "Own"), ("c", "Shared")), data))
        {
            Assert.DoesNotContain(Moved, again.Output, StringComparison.Ordinal);
            using var channel = GrpcChannel.ForAddress(again.GrpcAddress);
            Assert.Single(await new MoClient(channel, _b.Admin).HistoryAsync(StoppedAtB));
            await StopAsync(again);
        }

        await using var refused = await GateProcess.StartAsync(Settings(("a", "Shared"), ("b", "Own"), ("c", "zz:Shared")), data, waitUntilServing: false);
        await refused.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(ExitCodes.Configuration, refused.ExitCode);
        Assert.Contains("account 'c' moves from organization 'cm''s shared list straight to organization 'zz''s", refused.Output, StringComparison.Ordinal);
    }

    private static async Task<List<Verdict>> VerdictsAsync(GrpcChannel channel, TenantKeys tenant) =>
        [.. (await new GateApi(channel, tenant.Check).CheckBatchAsync(new CheckBatchRequest
        {
            Sender = S, SmsType = SmsType.Marketing, Recipients = { StoppedAtB, TenantWide, Suppressed, Never },
        })).Verdicts];

    private static async Task StopAsync(GateProcess gate)
    {
        gate.Terminate();
        await gate.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    private Dictionary<string, string> Settings(params (string Account, string List)[] accounts)
    {
        var settings = new[] { _a, _b, _c }.SelectMany(t => t.Settings()).ToDictionary(p => p.Key, p => p.Value);
        foreach (var (account, list) in accounts)
        {
            // "zz:Shared" puts the account on organization zz's shared list instead of cm's.
            var organization = list.Contains(':', StringComparison.Ordinal) ? list.Split(':')[0] : "cm";
            settings[$"Tenancy:Organizations:{organization}:Accounts:{account}:List"] = list.Split(':')[^1];
        }

        return settings;
    }
}
