using System.Buffers;
using Google.Protobuf;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Server.Gate;

namespace OptOutGate.Server.Tests.Gate;

/// <summary>CheckBatchCodec reads and writes exactly what the generated classes do.</summary>
public sealed class CheckBatchCodecTests
{
    [Fact]
    public void TryReadRequest_ReadsEveryField_AsTheGeneratedParserDoes()
    {
        var request = new CheckBatchRequest
        {
            Sender = "ÄCME-😀",
            App = "app-1",
            SmsType = SmsType.Confirmation,
            Recipients = { "+14155550100", "", "+0123", "14155550100", "+141555501001234567", "+447400123456" },
            Explain = true,
            MinSequence = 1UL << 40,
        };
        using var input = new CheckBatchInput();

        Assert.True(CheckBatchCodec.TryReadRequest(request.ToByteArray(), input));

        Assert.Equal(request.Sender, input.Sender);
        Assert.Equal(request.App, input.App);
        Assert.Equal(request.SmsType, input.SmsType);
        Assert.True(input.Explain);
        Assert.Equal(request.MinSequence, input.MinSequence);
        Assert.Equal([14155550100UL, 0, 0, 0, 0, 447400123456], input.Recipients.ToArray());
    }

    [Fact]
    public void TryReadRequest_GrowsPastItsFirstArray_AndSkipsUnknownFields()
    {
        var request = new CheckBatchRequest { Sender = "S", SmsType = SmsType.Marketing };
        for (var i = 0; i < 5000; i++)
        {
            request.Recipients.Add("+1415" + (5_000_000 + i));
        }

        var bytes = request.ToByteArray().Concat(new byte[] { (9 << 3) | 0, 0x96, 0x01, (10 << 3) | 2, 2, 0x41, 0x42, (11 << 3) | 5, 1, 2, 3, 4 }).ToArray();
        using var input = new CheckBatchInput();

        Assert.True(CheckBatchCodec.TryReadRequest(bytes, input));
        Assert.Equal(5000, input.Count);
        Assert.Equal(14155004999UL, input.Recipients.Span[4999]);
    }

    [Fact]
    public void TryReadRequest_PutsCompactRecipientsAfterTheTextOnes_WhereverTheyCameOnTheWire()
    {
        var text = new CheckBatchRequest { Sender = "S", SmsType = SmsType.Marketing, Recipients = { "+14155550100", "+0123" } };
        var compact = new CheckBatchRequest { RecipientsE164 = { 447400123456, 0, 4155550100, 14155550, 141555501001234567, 14155550100 } };
        var more = new CheckBatchRequest { Recipients = { "+447400123456" } };

        // Fields 4 and 7 interleaved: a parser merges repeated fields in wire order, and the verdict order is by field.
        var bytes = text.ToByteArray().Concat(compact.ToByteArray()).Concat(more.ToByteArray()).ToArray();
        using var input = new CheckBatchInput();

        Assert.True(CheckBatchCodec.TryReadRequest(bytes, input));
        Assert.Equal([14155550100UL, 0, 447400123456, 447400123456, 0, 0, 0, 0, 14155550100], input.Recipients.ToArray());
        var generated = CheckBatchRequest.Parser.ParseFrom(bytes);
        Assert.Equal(3, generated.Recipients.Count);
        Assert.Equal(compact.RecipientsE164, generated.RecipientsE164);
    }

    [Fact]
    public void TryReadRequest_ReadsUnpackedCompactRecipients_AndRefusesAPackedFieldCutMidNumber()
    {
        // recipients_e164 = 7 as two unpacked fixed64 values (tag 0x39), which parsers must accept too.
        var unpacked = new byte[] { 0x39, 0x9F, 0x97, 0xBC, 0x4B, 0x03, 0x00, 0x00, 0x00, 0x39, 0, 0, 0, 0, 0, 0, 0, 0 };
        using var input = new CheckBatchInput();

        Assert.True(CheckBatchCodec.TryReadRequest(unpacked, input));
        Assert.Equal([14155552671UL, 0], input.Recipients.ToArray());
        Assert.Equal([14155552671UL, 0], CheckBatchRequest.Parser.ParseFrom(unpacked).RecipientsE164);

        var cut = new byte[] { 0x3A, 0x07, 1, 2, 3, 4, 5, 6, 7 };
        Assert.False(CheckBatchCodec.TryReadRequest(cut, input));
        Assert.Throws<InvalidProtocolBufferException>(() => CheckBatchRequest.Parser.ParseFrom(cut));
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0x64, 0x2B })]
    [InlineData(new byte[] { 0x0A })]
    [InlineData(new byte[] { 0x30, 0x80 })]
    [InlineData(new byte[] { 0x23 })]
    [InlineData(new byte[] { 0x00, 0x00 })]
    public void TryReadRequest_RefusesMalformedBytes(byte[] bytes)
    {
        using var input = new CheckBatchInput();
        Assert.False(CheckBatchCodec.TryReadRequest(bytes, input));
        Assert.Throws<InvalidProtocolBufferException>(() => CheckBatchRequest.Parser.ParseFrom(bytes));
    }

    [Theory]
    [InlineData(0, 0UL, false)]
    [InlineData(3, 7UL, false)]
    [InlineData(200, 1UL << 35, true)]
    public void WriteResponse_IsByteForByteTheGeneratedEncoding(int count, ulong sequence, bool explain)
    {
        var verdicts = new Verdict[count];
        var counts = default(CheckCounts);
        for (var i = 0; i < count; i++)
        {
            verdicts[i] = (Verdict)(1 + (i % 7));
            counts.Add(verdicts[i]);
        }

        var explanations = new List<Explanation>();
        if (explain)
        {
            explanations.Add(new Explanation { Index = 2, Verdict = Verdict.BlockedOptedOut, Reason = "opted out", Entry = new Entry { Recipient = "+14155550100", Sequence = 9 } });
            explanations.Add(new Explanation { Index = 5, Verdict = Verdict.InvalidRecipient });
        }

        var expected = new CheckBatchResponse { Counts = counts.ToMessage(), Sequence = sequence };
        expected.Verdicts.Add(verdicts);
        expected.Explanations.Add(explanations);
        var output = new ArrayBufferWriter<byte>();

        var written = CheckBatchCodec.WriteResponse(output, verdicts, counts, sequence, explain ? explanations : null);

        Assert.Equal(expected.ToByteArray(), output.WrittenSpan.ToArray());
        Assert.Equal(written, output.WrittenCount);
    }
}
