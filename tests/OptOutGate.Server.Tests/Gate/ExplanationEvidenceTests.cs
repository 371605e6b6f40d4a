using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Mo;
using OptOutGate.Server.Tests.Readiness;
using OptOutGate.Server.Tests.Tenancy;

namespace OptOutGate.Server.Tests.Gate;

/// <summary>
/// An explanation carries its evidence (DESIGN.md: a bypass "always visible in the verdict"; a blocked recipient's "why"
/// answerable without a second call): the deciding entry of CheckBatch with explain and of CheckOptOuts has its update
/// time, reason, source, the MO's text, keyword and carrier message id where an MO made it, and the key id that made it.
/// Through the real server with API keys on, so the actor is a real key id.
/// </summary>
public sealed class ExplanationEvidenceTests
{
    private const string S = GateApi.Sender;

    [Fact]
    public async Task BlockedByMo_ExplanationAndCheckOptOuts_CarryTheMosTextCarrierIdTimeAndActor()
    {
        var keys = new TestKeys();
        await using var gate = await GateTestServer.StartAsync(keys.Settings());
        var admin = new MoClient(gate.Channel, keys.AcmeOperator);
        var carrier = new MoClient(gate.Channel, keys.AcmeCarrier);
        var dispatcher = new GateApi(gate.Channel, keys.AcmeDispatcher);
        await admin.PutAddressAsync();
        const string r = "+14155550301";
        var carrierTime = new DateTime(2026, 1, 5, 9, 30, 0, DateTimeKind.Utc);
        var stop = await carrier.RecordAsync(MoOrderingTests.At(r, "Stop please, no more", "carrier-msg-77", carrierTime));
        Assert.Equal(MoAction.OptedOut, stop.Action);

        var response = await dispatcher.CheckBatchAsync(new CheckBatchRequest { Sender = S, SmsType = SmsType.Marketing, Recipients = { r }, Explain = true });
        var explanation = Assert.Single(response.Explanations);
        Assert.Equal(Verdict.BlockedOptedOut, explanation.Verdict);
        AssertMoEvidence(explanation.Entry, stop.Sequence, carrierTime);

        var checkedOptOuts = await admin.AdminAsync<CheckOptOutsRequest, CheckOptOutsResponse>("CheckOptOuts", new CheckOptOutsRequest { Sender = S, Recipients = { r } });
        var result = Assert.Single(checkedOptOuts.Results);
        Assert.Equal(RecipientOutcome.Present, result.Outcome);
        AssertMoEvidence(result.Entry, stop.Sequence, carrierTime);
    }

    [Fact]
    public async Task AllowedByBypass_TheVerdictShowsTheBypasssReasonActorAndTheOptOutItLifts()
    {
        var keys = new TestKeys();
        await using var gate = await GateTestServer.StartAsync(keys.Settings());
        var admin = new MoClient(gate.Channel, keys.AcmeOperator);
        var dispatcher = new GateApi(gate.Channel, keys.AcmeDispatcher);
        const string r = "+14155550302";
        var optOut = await admin.AdminAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest
        {
            Scope = Scope.Sender, Sender = S, Recipients = { r }, Reason = "asked the call centre",
        });
        var bypass = await admin.AdminAsync<AddBypassesRequest, AddBypassesResponse>("AddBypasses", new AddBypassesRequest
        {
            Scope = Scope.Sender, Sender = S, Recipients = { r }, SmsTypes = { SmsType.Notification }, Reason = "fraud alerts, contract clause 7",
        });

        var response = await dispatcher.CheckBatchAsync(new CheckBatchRequest { Sender = S, SmsType = SmsType.Notification, Recipients = { r }, Explain = true });
        var explanation = Assert.Single(response.Explanations);
        Assert.Equal(Verdict.AllowedBypass, explanation.Verdict);
        Assert.Equal(EntryKind.Bypass, explanation.Entry.Kind);
        Assert.Equal("fraud alerts, contract clause 7", explanation.Entry.Reason);
        Assert.Equal("operator", explanation.Entry.ActorKeyId);
        Assert.Equal(Source.Admin, explanation.Entry.Source);
        Assert.Equal(bypass.Sequence, explanation.Entry.Sequence);
        Assert.NotNull(explanation.Entry.UpdateTime);
        Assert.Contains("fraud alerts, contract clause 7", explanation.Reason, StringComparison.Ordinal);

        Assert.Equal(EntryKind.OptOut, explanation.BypassedEntry.Kind);
        Assert.Equal("asked the call centre", explanation.BypassedEntry.Reason);
        Assert.Equal(Source.Api, explanation.BypassedEntry.Source);
        Assert.Equal("operator", explanation.BypassedEntry.ActorKeyId);
        Assert.Equal(optOut.Sequence, explanation.BypassedEntry.Sequence);
        Assert.Equal("", explanation.BypassedEntry.MoText);

        // Without explain the answer is the packed verdicts alone, as before.
        var plain = await dispatcher.CheckBatchAsync(new CheckBatchRequest { Sender = S, SmsType = SmsType.Notification, Recipients = { r } });
        Assert.Equal([Verdict.AllowedBypass], plain.Verdicts);
        Assert.Empty(plain.Explanations);
    }

    private static void AssertMoEvidence(Entry entry, ulong sequence, DateTime carrierTime)
    {
        Assert.Equal(EntryKind.OptOut, entry.Kind);
        Assert.Equal(Source.MoKeyword, entry.Source);
        Assert.Equal("Stop please, no more", entry.MoText);
        Assert.Equal("STOP", entry.MatchedKeyword);
        Assert.Equal("carrier-msg-77", entry.CarrierMessageId);
        Assert.Equal("carrier", entry.ActorKeyId);
        Assert.Equal(sequence, entry.Sequence);

        // The event time of an MO is the earlier of its carrier time and the gate's receive time: here the carrier's.
        Assert.Equal(Timestamp.FromDateTime(carrierTime), entry.UpdateTime);
    }
}
