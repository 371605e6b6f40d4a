using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Gate;

/// <summary>
/// recipients_e164, the compact form of a batch's recipients (E.164 digits as integers), against the real gate:
/// CheckBatch (the codec's raw path) and CheckStream (the generated classes) answer it as they answer the same numbers
/// as text, after the text recipients, with the same limit over both fields.
/// </summary>
public sealed class CompactRecipientsTests
{
    private const string Sender = "+18005550100";

    [Fact]
    public async Task CheckBatch_AnswersCompactRecipients_AfterTheTextOnes_AsItAnswersTheSameText()
    {
        await using var gate = await GateTestServer.StartAsync();
        var added = await gate.Admin.AddOptOutsAsync(
            new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Recipients = { "+14155550101", "+447400123456" } }, Deadline());

        // Text: allowed, blocked, malformed. Compact: blocked, allowed, 0, too short, not in any plan, too long, blocked.
        var mixed = Batch(added.Sequence, "+14155550100", "+14155550101", "not a number");
        mixed.RecipientsE164.Add([447400123456, 14155550100, 0, 1415555, 10005550000, 141555501001234567, 14155550101]);
        var asText = Batch(
            added.Sequence, "+14155550100", "+14155550101", "not a number",
            "+447400123456", "+14155550100", "+0", "+1415555", "+10005550000", "+141555501001234567", "+14155550101");
        asText.Explain = mixed.Explain = true;

        var compact = await gate.Gate.CheckBatchAsync(mixed, Deadline()).ResponseAsync;
        var text = await gate.Gate.CheckBatchAsync(asText, Deadline()).ResponseAsync;

        Assert.Equal(
            [Verdict.Allowed, Verdict.BlockedOptedOut, Verdict.InvalidRecipient,
             Verdict.BlockedOptedOut, Verdict.Allowed, Verdict.InvalidRecipient, Verdict.InvalidRecipient, Verdict.InvalidRecipient, Verdict.InvalidRecipient, Verdict.BlockedOptedOut],
            compact.Verdicts);
        Assert.Equal(text, compact);
        Assert.Equal([1, 3, 9], compact.Explanations.Where(static e => e.Verdict == Verdict.BlockedOptedOut).Select(static e => e.Index));
    }

    [Fact]
    public async Task CheckStream_AnswersCompactRecipients_AsCheckBatchDoes()
    {
        await using var gate = await GateTestServer.StartAsync();
        var added = await gate.Admin.AddOptOutsAsync(
            new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Recipients = { "+447400123456" } }, Deadline());
        var batch = Batch(added.Sequence, "+14155550100");
        batch.RecipientsE164.Add([447400123456, 99]);

        using var call = gate.Gate.CheckStream(Deadline());
        await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 7, Batch = batch });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var unary = await gate.Gate.CheckBatchAsync(batch, Deadline()).ResponseAsync;

        Assert.Equal(7UL, call.ResponseStream.Current.RequestId);
        Assert.Equal([Verdict.Allowed, Verdict.BlockedOptedOut, Verdict.InvalidRecipient], call.ResponseStream.Current.Batch.Verdicts);
        Assert.Equal(unary, call.ResponseStream.Current.Batch);
    }

    [Fact]
    public async Task TheLimitCountsBothFields()
    {
        await using var gate = await GateTestServer.StartAsync();
        var full = Batch(0, [.. Enumerable.Range(0, 5_000).Select(static i => "+1415" + (5_000_000 + i))]);
        full.RecipientsE164.Add(Enumerable.Range(0, 5_000).Select(static i => 14_155_000_000UL + (ulong)i));

        var answered = await gate.Gate.CheckBatchAsync(full, Deadline()).ResponseAsync;
        full.RecipientsE164.Add(14155550100);
        var refused = await Assert.ThrowsAsync<RpcException>(() => gate.Gate.CheckBatchAsync(full, Deadline()).ResponseAsync);
        using var call = gate.Gate.CheckStream(Deadline());
        await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 1, Batch = full });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());

        Assert.Equal(10_000, answered.Verdicts.Count);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("10001 given", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal((int)StatusCode.InvalidArgument, call.ResponseStream.Current.Error.Code);
        Assert.Contains("10001 given", call.ResponseStream.Current.Error.Message, StringComparison.Ordinal);
    }

    private static CheckBatchRequest Batch(ulong minSequence, params string[] recipients)
    {
        var request = new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Marketing, MinSequence = minSequence };
        request.Recipients.Add(recipients);
        return request;
    }

    private static CallOptions Deadline() => new(deadline: DateTime.UtcNow.AddSeconds(30));
}
