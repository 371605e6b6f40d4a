using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Tests.Workload;

/// <summary>The generator's CheckStream messages mean what the generated classes mean.</summary>
public class CheckStreamWireTests
{
    [Theory]
    [InlineData(0UL, 0)]
    [InlineData(1UL, 1)]
    [InlineData((5UL << 40) | 123, 1_000)]
    [InlineData(ulong.MaxValue, 20_000)]
    public void A_request_is_the_generated_message_of_its_id_and_batch(ulong id, int recipients)
    {
        var batch = new CheckBatchRequest { Sender = "+18005550199", SmsType = SmsType.Marketing };
        for (var i = 0; i < recipients; i++)
        {
            batch.RecipientsE164.Add(14155550000UL + (ulong)i);
        }

        var context = new BufferContext();
        CheckStreamBatch.Serialize(new CheckStreamBatch(id, batch.ToByteArray()), context);

        var expected = new CheckStreamRequest { RequestId = id, Batch = batch };
        Assert.Equal(expected.ToByteArray(), context.Written.WrittenSpan.ToArray());
        Assert.Equal(context.Written.WrittenCount, context.PayloadLength);
    }

    [Fact]
    public void An_answer_is_read_as_its_id_and_tally_or_its_error()
    {
        var batch = new CheckBatchResponse { Verdicts = { Verdict.Allowed, Verdict.BlockedOptedOut }, Counts = new VerdictCounts { Allowed = 1, BlockedOptedOut = 1 }, Sequence = 9 };
        var answer = CheckStreamTally.Decode(new ReadOnlySequence<byte>(new CheckStreamResponse { RequestId = 77, Batch = batch }.ToByteArray()));
        Assert.Equal(77UL, answer.RequestId);
        Assert.Equal(2, answer.Batch!.Verdicts);
        Assert.Equal(batch.Counts, answer.Batch.Counts);
        Assert.Null(answer.Error);

        var error = new ItemError { Code = (int)StatusCode.InvalidArgument, Message = "batch: required." };
        var failed = CheckStreamTally.Decode(new ReadOnlySequence<byte>(new CheckStreamResponse { RequestId = 78, Error = error }.ToByteArray()));
        Assert.Equal(78UL, failed.RequestId);
        Assert.Null(failed.Batch);
        Assert.Equal(error, failed.Error);

        // An empty batch is still a batch (a oneof member is written even when empty).
        var empty = CheckStreamTally.Decode(new ReadOnlySequence<byte>(new CheckStreamResponse { Batch = new CheckBatchResponse() }.ToByteArray()));
        Assert.Equal(0, empty.Batch!.Verdicts);
    }

    [Fact]
    public void A_cut_answer_is_invalid_data_exactly_when_the_generated_parser_refuses_it()
    {
        var whole = new CheckStreamResponse { RequestId = 300, Batch = new CheckBatchResponse { Verdicts = { Verdict.Allowed }, Sequence = 5 } }.ToByteArray();
        for (var length = 1; length < whole.Length; length++)
        {
            var cut = whole[..length];
            var generatedRefuses = Refuses(() => CheckStreamResponse.Parser.ParseFrom(cut));
            var tallyRefuses = Refuses(() => CheckStreamTally.Decode(new ReadOnlySequence<byte>(cut)));
            Assert.True(generatedRefuses == tallyRefuses, $"cut at {length}: generated {(generatedRefuses ? "refuses" : "reads")} it, the tally {(tallyRefuses ? "refuses" : "reads")} it");
        }

        static bool Refuses(Action read)
        {
            try
            {
                read();
                return false;
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
            {
                return true;
            }
        }
    }

    private sealed class BufferContext : SerializationContext
    {
        public ArrayBufferWriter<byte> Written { get; } = new();

        public int PayloadLength { get; private set; } = -1;

        public override void SetPayloadLength(int payloadLength) => PayloadLength = payloadLength;

        public override IBufferWriter<byte> GetBufferWriter() => Written;

        public override void Complete()
        {
        }
    }
}
