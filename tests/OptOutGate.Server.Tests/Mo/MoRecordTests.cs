using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Mo;

/// <summary>RecordMo against the real server process: actions, rules, replies, scopes, policies, confirmations.</summary>
public sealed class MoRecordTests
{
    [Fact]
    public async Task RecordMo_StopStartHelpAmbiguousNone_AnswerActionRuleReplyAndSequence()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();
        const string r = "+14155550100";

        var stop = await mo.RecordAsync(MoClient.Message(r, "Stop.", "c1", 1));
        Assert.Equal(MoAction.OptedOut, stop.Action);
        Assert.Equal("STOP", stop.MatchedKeyword);
        Assert.Equal(ClassificationRule.ExactOptOut, stop.Rule);
        Assert.Equal(Scope.Sender, stop.Scope);
        Assert.Equal("You are unsubscribed.", stop.ReplyText);
        Assert.Equal("en", stop.ReplyLanguageCode);
        Assert.Equal("c1", stop.CarrierMessageId);
        Assert.True(stop.Sequence > 0);
        Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync(r, SmsType.Marketing));

        // A second STOP changes nothing and gets no second confirmation, but is recorded (a late older START must not
        // outrank it).
        var again = await mo.RecordAsync(MoClient.Message(r, "STOP please", "c2", 2));
        Assert.Equal(MoAction.OptedOut, again.Action);
        Assert.Equal(ClassificationRule.LeadingOptOut, again.Rule);
        Assert.Equal("", again.ReplyText);
        Assert.False(again.StateChanged);
        Assert.True(again.Sequence > stop.Sequence);

        var help = await mo.RecordAsync(MoClient.Message(r, "help me", "c3", 3));
        Assert.Equal(MoAction.Help, help.Action);
        Assert.Equal(ClassificationRule.LeadingHelp, help.Rule);
        Assert.Equal("Reply STOP to stop.", help.ReplyText);
        Assert.Equal(0UL, help.Sequence);

        var none = await mo.RecordAsync(MoClient.Message(r, "STOPPED by the store", "c4", 4));
        Assert.Equal(MoAction.None, none.Action);
        Assert.Equal(ClassificationRule.None, none.Rule);
        Assert.Equal("", none.ReplyText);
        Assert.Equal(0UL, none.Sequence);

        var start = await mo.RecordAsync(MoClient.Message(r, "START", "c5", 5));
        Assert.Equal(MoAction.OptedIn, start.Action);
        Assert.Equal(ClassificationRule.ExactOptIn, start.Rule);
        Assert.Equal("You are subscribed again.", start.ReplyText);
        Assert.True(start.Sequence > stop.Sequence);
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync(r, SmsType.Marketing));

        // Default policy REVIEW: recorded, queued, no state change, no reply.
        var ambiguous = await mo.RecordAsync(MoClient.Message(r, "when does the sale END", "c6", 6));
        Assert.Equal(MoAction.Ambiguous, ambiguous.Action);
        Assert.Equal(ClassificationRule.AmbiguousKeyword, ambiguous.Rule);
        Assert.Equal("END", ambiguous.MatchedKeyword);
        Assert.NotEmpty(ambiguous.ReviewItemId);
        Assert.True(ambiguous.Sequence > start.Sequence);
        Assert.Equal("", ambiguous.ReplyText);
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync(r, SmsType.Marketing));

        // The keyword's language picks the reply (ARRET is French).
        var arret = await mo.RecordAsync(MoClient.Message("+14155550101", "Arrêt", "c7", 7));
        Assert.Equal(MoAction.OptedOut, arret.Action);
        Assert.Equal("Vous êtes désabonné.", arret.ReplyText);
        Assert.Equal("fr", arret.ReplyLanguageCode);

        // History: STOP, START, AMBIGUOUS (HELP, NONE and the second STOP made no record).
        var history = await mo.HistoryAsync(r);
        // Every keyword event is recorded (also the second STOP), and each reply handed out spends the confirmation.
        Assert.Equal(
            [ChangeAction.OptOut, ChangeAction.ConfirmationSent, ChangeAction.OptOut, ChangeAction.OptIn, ChangeAction.ConfirmationSent, ChangeAction.Ambiguous],
            history.Select(h => h.Action));
        Assert.Equal(["c1", "c1", "c2", "c5", "c5", "c6"], history.Select(h => h.CarrierMessageId));
        Assert.Equal([KeywordEffect.Changed, KeywordEffect.Unchanged, KeywordEffect.Changed], history.Where(h => h.Action is ChangeAction.OptOut or ChangeAction.OptIn).Select(h => h.KeywordEffect));
        Assert.All(history, h => Assert.Equal(Source.MoKeyword, h.Source));
        Assert.Equal("Stop.", history[0].MoText);
        Assert.Equal(MoClient.BaseTime.AddSeconds(1), history[0].EventTime.ToDateTime());

        // Errors: malformed, unknown inbound address (nothing recorded).
        Assert.Equal(StatusCode.InvalidArgument, await mo.StatusOfAsync(() => mo.RecordAsync(MoClient.Message("4155550100", "STOP", "e1"))));
        Assert.Equal(StatusCode.InvalidArgument, await mo.StatusOfAsync(() => mo.RecordAsync(MoClient.Message(r, "STOP", ""))));
        Assert.Equal(StatusCode.NotFound, await mo.StatusOfAsync(() => mo.RecordAsync(MoClient.Message("+14155550199", "STOP", "e2", to: "99999"))));
        Assert.Empty(await mo.HistoryAsync("+14155550199"));
    }

    [Fact]
    public async Task RecordMo_StopAll_IsTenantWide_RevokeAll_MakesEveryOptOutTenantWide_AndOptOutPolicyOptsOutAmbiguous()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();
        await mo.PutAddressAsync("12345");

        var all = await mo.RecordAsync(MoClient.Message("+14155550110", "stop all", "t1"));
        Assert.Equal(MoAction.OptedOut, all.Action);
        Assert.Equal("STOP ALL", all.MatchedKeyword);
        Assert.Equal(Scope.Tenant, all.Scope);
        Assert.Equal(Verdict.BlockedTenantOptOut, await mo.CheckAsync("+14155550110", SmsType.Marketing, "12345"));

        // A START at one address after the tenant-wide opt-out subscribes the recipient again at that address only.
        var start = await mo.RecordAsync(MoClient.Message("+14155550110", "START", "t2", 10));
        Assert.Equal(MoAction.OptedIn, start.Action);
        Assert.True(start.Sequence > all.Sequence);
        Assert.True(start.StateChanged);
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync("+14155550110", SmsType.Marketing));
        Assert.Equal(Verdict.BlockedTenantOptOut, await mo.CheckAsync("+14155550110", SmsType.Marketing, "12345"));

        await mo.SetPolicyAsync(new TenantPolicy { RevokeAll = true, AmbiguousPolicy = AmbiguousPolicy.OptOut }, "revoke_all", "ambiguous_policy");
        var stop = await mo.RecordAsync(MoClient.Message("+14155550111", "STOP", "t3"));
        Assert.Equal(Scope.Tenant, stop.Scope);
        Assert.Equal(Verdict.BlockedTenantOptOut, await mo.CheckAsync("+14155550111", SmsType.Marketing, "12345"));
        var startAll = await mo.RecordAsync(MoClient.Message("+14155550111", "START", "t4", 5));
        Assert.Equal(Scope.Tenant, startAll.Scope);
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync("+14155550111", SmsType.Marketing, "12345"));

        var ambiguous = await mo.RecordAsync(MoClient.Message("+14155550112", "cancel my appointment", "t5"));
        Assert.Equal(MoAction.OptedOut, ambiguous.Action);
        Assert.Equal(ClassificationRule.AmbiguousKeyword, ambiguous.Rule);
        Assert.Equal(Verdict.BlockedTenantOptOut, await mo.CheckAsync("+14155550112", SmsType.Marketing));

        await mo.SetPolicyAsync(new TenantPolicy { AmbiguousPolicy = AmbiguousPolicy.Ignore }, "ambiguous_policy");
        var ignored = await mo.RecordAsync(MoClient.Message("+14155550113", "cancel my appointment", "t6"));
        Assert.Equal(MoAction.Ambiguous, ignored.Action);
        Assert.Empty(ignored.ReviewItemId);
        Assert.True(ignored.Sequence > 0);
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync("+14155550113", SmsType.Marketing));
    }

    [Fact]
    public async Task Confirmation_EndToEnd_MoStopThenCheckBatch_AllowsOneConfirmationWithinTheWindow()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);

        // No reply texts: the gate hands out no confirmation, so the first CONFIRMATION checked is the one allowed.
        await mo.AdminAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = MoClient.Address } });
        const string r = "+14155550120";
        Assert.Equal(Verdict.BlockedConfirmation, await mo.CheckAsync(r, SmsType.Confirmation));

        var stop = await mo.RecordAsync(MoClient.Message(r, "UNSUBSCRIBE", "k1"));
        Assert.Equal("", stop.ReplyText);
        Assert.True(stop.StateChanged);

        Assert.Equal(Verdict.Allowed, await mo.CheckAsync(r, SmsType.Confirmation));
        Assert.Equal(Verdict.BlockedConfirmation, await mo.CheckAsync(r, SmsType.Confirmation));
        Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync(r, SmsType.Marketing));

        // The opt-in opens a new window for its own confirmation.
        var start = await mo.RecordAsync(MoClient.Message(r, "unstop", "k2", 60));
        Assert.Equal(MoAction.OptedIn, start.Action);
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync(r, SmsType.Confirmation));
        Assert.Equal(Verdict.BlockedConfirmation, await mo.CheckAsync(r, SmsType.Confirmation));

        // With reply texts the reply is the confirmation: none is left for a check.
        await mo.PutAddressAsync();
        var again = await mo.RecordAsync(MoClient.Message(r, "STOP", "k3", 120));
        Assert.Equal("You are unsubscribed.", again.ReplyText);
        Assert.Equal(Verdict.BlockedConfirmation, await mo.CheckAsync(r, SmsType.Confirmation));
    }
}
