using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Engine.Recipients;
using OptOutGate.Server.Gate;

namespace OptOutGate.Server.Tests.Gate;

/// <summary>
/// CheckStreamCodec means what the generated classes mean: property tests over random messages made of random pieces
/// (the id, the batch and max_wait each absent, once or several times, in any order, unknown fields between them), every
/// cut of them, and random answers written byte for byte as the generated writer writes them.
/// </summary>
public sealed class CheckStreamCodecTests
{
    private static readonly string[] Texts = ["+14155550100", "+447400123456", "+442071000000", "", "+0123", "14155550100", "+1", "++44", "+141555501001234567", "not a number", "+4420710000ä"];
    private static readonly ulong[] Integers = [14155550100, 447400123456, 442071000000, 0, 12345, 10_000_000_000_000_000, ulong.MaxValue, 4155550100];
    private static readonly long[] Seconds = [0, 1, 2, -1, 30, 315_576_000_000, 315_576_000_001, -315_576_000_001, long.MinValue];
    private static readonly int[] Nanos = [0, 1, 500_000_000, 999_999_999, 1_000_000_000, -1, -999_999_999, -1_000_000_000, int.MaxValue];

    [Fact]
    public void ReadRequest_OfRandomPieces_MeansWhatTheGeneratedParserMakesOfThem()
    {
        var random = new Random(20261205);
        for (var round = 0; round < 2000; round++)
        {
            var bytes = RandomRequest(random);
            AssertSameMeaning(CheckStreamRequest.Parser.ParseFrom(bytes), CheckStreamCodec.TryReadRequest(bytes), $"round {round}: {Convert.ToHexString(bytes)}");
        }
    }

    [Fact]
    public void ReadRequest_OfEveryCut_FailsExactlyWhenTheGeneratedParserFails()
    {
        var random = new Random(5);
        for (var round = 0; round < 60; round++)
        {
            var bytes = RandomRequest(random);
            for (var length = 0; length < bytes.Length; length++)
            {
                var cut = bytes[..length];
                CheckStreamRequest? expected;
                try
                {
                    expected = CheckStreamRequest.Parser.ParseFrom(cut);
                }
                catch (InvalidProtocolBufferException)
                {
                    expected = null;
                }

                using var actual = CheckStreamCodec.TryReadRequest(cut);
                var where = $"round {round}, cut at {length} of {bytes.Length}: {Convert.ToHexString(cut)}";
                Assert.True((expected is null) == (actual is null), $"{where}: generated {(expected is null ? "fails" : "reads it")}, codec {(actual is null ? "fails" : "reads it")}");
                if (expected is not null)
                {
                    AssertSameMeaning(expected, actual, where);
                }
            }
        }
    }

    [Fact]
    public void ReadRequest_OfAMessageInManySegments_IsTheSameAsInOne()
    {
        var random = new Random(3);
        for (var round = 0; round < 50; round++)
        {
            var bytes = RandomRequest(random);
            var expected = CheckStreamRequest.Parser.ParseFrom(bytes);
            var context = new SegmentedContext(bytes, segmentLength: 1 + random.Next(16));

            AssertSameMeaning(expected, CheckStreamCodec.ReadRequest(context), $"round {round}");
        }

        // Bytes that are no message, in segments too: the stream's INTERNAL, as for every method.
        var error = Assert.Throws<RpcException>(() => CheckStreamCodec.ReadRequest(new SegmentedContext([0x12, 0x05, 0x0A, 0x01, 0x41], 2)));
        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Theory]
    [InlineData(new byte[] { 0x12, 0x05, 0x0A })]
    [InlineData(new byte[] { 0x08 })]
    [InlineData(new byte[] { 0x1A, 0x02, 0x08 })]
    [InlineData(new byte[] { 0x0B })]
    [InlineData(new byte[] { 0x00, 0x00 })]
    [InlineData(new byte[] { 0x12, 0x02, 0x3A, 0x03 })]
    public void ReadRequest_RefusesMalformedBytes_AsTheGeneratedParserDoes(byte[] bytes)
    {
        Assert.Null(CheckStreamCodec.TryReadRequest(bytes));
        Assert.Throws<InvalidProtocolBufferException>(() => CheckStreamRequest.Parser.ParseFrom(bytes));
    }

    [Fact]
    public void WriteResponse_OfRandomAnswers_IsByteForByteTheGeneratedEncoding()
    {
        var random = new Random(11);
        for (var round = 0; round < 500; round++)
        {
            var requestId = random.Next(4) switch { 0 => 0UL, 1 => (ulong)random.Next(200), 2 => ulong.MaxValue, _ => (ulong)random.NextInt64() };
            CheckStreamResponse expected;
            CheckStreamOutput output;
            if (random.Next(3) == 0)
            {
                var code = (StatusCode)random.Next(17);
                var message = random.Next(3) switch { 0 => "", 1 => "max_wait: must not be negative.", _ => "sender: ÄCME-😀 " + new string('x', random.Next(300)) };
                expected = new CheckStreamResponse { RequestId = requestId, Error = new ItemError { Code = (int)code, Message = message } };
                output = CheckStreamOutput.Failure(requestId, code, message);
            }
            else
            {
                var count = random.Next(3) == 0 ? 0 : random.Next(2500);
                var explain = random.Next(4) == 0;
                var batch = CheckBatchOutput.Rent(count, explain);
                var counts = default(CheckCounts);
                var response = new CheckBatchResponse();
                for (var i = 0; i < count; i++)
                {
                    var verdict = (Verdict)(1 + random.Next(7));
                    batch.Verdicts.Span[i] = verdict;
                    counts.Add(verdict);
                    response.Verdicts.Add(verdict);
                    if (explain && verdict != Verdict.Allowed && random.Next(3) == 0)
                    {
                        var explanation = new Explanation { Index = (uint)i, Verdict = verdict, Reason = "opted out", Entry = new Entry { Recipient = "+14155550100", Sequence = (ulong)i } };
                        batch.Explanations!.Add(explanation);
                        response.Explanations.Add(explanation);
                    }
                }

                var sequence = random.Next(3) == 0 ? 0UL : (ulong)random.NextInt64();
                batch.Complete(counts, sequence);
                response.Counts = counts.ToMessage();
                response.Sequence = sequence;
                expected = new CheckStreamResponse { RequestId = requestId, Batch = response };
                output = CheckStreamOutput.Answer(requestId, batch);
            }

            var size = CheckStreamCodec.ResponseSize(output);
            var written = new byte[size];
            CheckStreamCodec.WriteResponse(output, written);
            output.Dispose();

            Assert.Equal(expected.ToByteArray(), written);
            Assert.Equal(expected, CheckStreamResponse.Parser.ParseFrom(written));
        }
    }

    [Fact]
    public void WriteResponse_ThroughTheMarshaller_IsWhatTheGeneratedParserReads()
    {
        var batch = CheckBatchOutput.Rent(3, explain: false);
        batch.Verdicts.Span[0] = Verdict.Allowed;
        batch.Verdicts.Span[1] = Verdict.BlockedOptedOut;
        batch.Verdicts.Span[2] = Verdict.InvalidRecipient;
        var counts = default(CheckCounts);
        counts.Add(Verdict.Allowed);
        counts.Add(Verdict.BlockedOptedOut);
        counts.Add(Verdict.InvalidRecipient);
        batch.Complete(counts, 42);
        var context = new BufferContext();

        CheckStreamCodec.Method.ResponseMarshaller.ContextualSerializer(CheckStreamOutput.Answer(7, batch), context);

        var response = CheckStreamResponse.Parser.ParseFrom(context.Written.WrittenSpan);
        Assert.Equal(7UL, response.RequestId);
        Assert.Equal([Verdict.Allowed, Verdict.BlockedOptedOut, Verdict.InvalidRecipient], response.Batch.Verdicts);
        Assert.Equal(42UL, response.Batch.Sequence);
        Assert.Equal(context.Written.WrittenCount, context.PayloadLength);
    }

    /// <summary>A message of random pieces in random order: what a client, or a proxy that re-encodes, may send.</summary>
    private static byte[] RandomRequest(Random random)
    {
        var pieces = new List<byte[]>();
        for (var i = random.Next(3); i > 0; i--)
        {
            pieces.Add(new CheckStreamRequest { RequestId = random.Next(3) == 0 ? ulong.MaxValue : (ulong)random.Next(1, 1000) }.ToByteArray());
        }

        for (var i = random.Next(4); i > 0; i--)
        {
            pieces.Add(new CheckStreamRequest { Batch = RandomBatch(random) }.ToByteArray());
        }

        for (var i = random.Next(3); i > 0; i--)
        {
            // Either field of a Duration, or both: pieces merge field by field.
            var duration = new Duration();
            if (random.Next(3) != 0)
            {
                duration.Seconds = Seconds[random.Next(Seconds.Length)];
            }

            if (random.Next(3) != 0)
            {
                duration.Nanos = Nanos[random.Next(Nanos.Length)];
            }

            pieces.Add(new CheckStreamRequest { MaxWait = duration }.ToByteArray());
        }

        for (var i = random.Next(3); i > 0; i--)
        {
            // Unknown fields of every wire type: field 9 varint, field 100 length-delimited (a two-byte tag), 12 fixed64, 13 fixed32.
            pieces.Add(random.Next(4) switch
            {
                0 => new byte[] { (9 << 3) | 0, 0x96, 0x01 },
                1 => new byte[] { 0xA2, 0x06, 3, 0x41, 0x42, 0x43 },
                2 => new byte[] { (12 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8 },
                _ => new byte[] { (13 << 3) | 5, 1, 2, 3, 4 },
            });
        }

        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pieces));
        return [.. pieces.SelectMany(static p => p)];
    }

    private static CheckBatchRequest RandomBatch(Random random)
    {
        var batch = new CheckBatchRequest();
        if (random.Next(2) == 0)
        {
            batch.Sender = random.Next(2) == 0 ? "+18005550199" : "ÄCME-😀";
        }

        if (random.Next(3) == 0)
        {
            batch.App = "app-" + random.Next(3);
        }

        if (random.Next(2) == 0)
        {
            batch.SmsType = (SmsType)random.Next(7);
        }

        for (var i = random.Next(3) == 0 ? 0 : random.Next(40); i > 0; i--)
        {
            batch.Recipients.Add(Texts[random.Next(Texts.Length)]);
        }

        for (var i = random.Next(2) == 0 ? 0 : random.Next(40); i > 0; i--)
        {
            batch.RecipientsE164.Add(Integers[random.Next(Integers.Length)]);
        }

        batch.Explain = random.Next(3) == 0;
        if (random.Next(3) == 0)
        {
            batch.MinSequence = (ulong)random.Next(1, 100);
        }

        return batch;
    }

    private static void AssertSameMeaning(CheckStreamRequest expected, CheckStreamInput? actual, string where)
    {
        Assert.True(actual is not null, where + ": the codec refused what the generated parser reads");
        using (actual)
        {
            Assert.Equal(expected.RequestId, actual.RequestId);
            if (expected.Batch is null)
            {
                Assert.True(actual.Batch is null, where + ": a batch where there is none");
            }
            else
            {
                var batch = actual.Batch;
                Assert.True(batch is not null, where + ": no batch");
                Assert.Equal(expected.Batch.Sender, batch.Sender);
                Assert.Equal(expected.Batch.App, batch.App);
                Assert.Equal(expected.Batch.SmsType, batch.SmsType);
                Assert.Equal(expected.Batch.Explain, batch.Explain);
                Assert.Equal(expected.Batch.MinSequence, batch.MinSequence);
                Assert.Equal(Numbers(expected.Batch), batch.Recipients.ToArray());
            }

            if (expected.MaxWait is null)
            {
                Assert.Null(actual.MaxWait);
                Assert.False(actual.MaxWaitInvalid, where);
            }
            else if (AsTimeSpan(expected.MaxWait) is { } wait)
            {
                Assert.False(actual.MaxWaitInvalid, where + ": a valid max_wait refused: " + expected.MaxWait);
                Assert.Equal(wait, actual.MaxWait);
            }
            else
            {
                Assert.True(actual.MaxWaitInvalid, where + ": an invalid max_wait taken: " + expected.MaxWait);
                Assert.Null(actual.MaxWait);
            }
        }
    }

    /// <summary>Google.Protobuf's reading of a Duration: null when it is not a valid one.</summary>
    private static TimeSpan? AsTimeSpan(Duration duration)
    {
        try
        {
            return duration.ToTimeSpan();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The numbers the generated path checks (GateService.CheckAsync): the text ones parsed, then the integers, each 0 unless valid.</summary>
    private static ulong[] Numbers(CheckBatchRequest batch)
    {
        var numbers = new ulong[batch.Recipients.Count + batch.RecipientsE164.Count];
        CheckEngine.ParseRecipients(batch.Recipients, numbers);
        batch.RecipientsE164.CopyTo(numbers, batch.Recipients.Count);
        NumberingPlan.Table.KeepValid(numbers.AsSpan(batch.Recipients.Count));
        return numbers;
    }

    /// <summary>A request payload as grpc-dotnet may hand it over: a sequence of several segments.</summary>
    private sealed class SegmentedContext(byte[] bytes, int segmentLength) : DeserializationContext
    {
        public override int PayloadLength => bytes.Length;

        public override byte[] PayloadAsNewBuffer() => bytes.ToArray();

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence()
        {
            if (bytes.Length == 0)
            {
                return ReadOnlySequence<byte>.Empty;
            }

            var first = new Segment(bytes.AsMemory(0, Math.Min(segmentLength, bytes.Length)), 0);
            var last = first;
            for (var at = segmentLength; at < bytes.Length; at += segmentLength)
            {
                last = last.Append(bytes.AsMemory(at, Math.Min(segmentLength, bytes.Length - at)));
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }

        private sealed class Segment : ReadOnlySequenceSegment<byte>
        {
            public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
            {
                Memory = memory;
                RunningIndex = runningIndex;
            }

            public Segment Append(ReadOnlyMemory<byte> memory)
            {
                var next = new Segment(memory, RunningIndex + Memory.Length);
                Next = next;
                return next;
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
