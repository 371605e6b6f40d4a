using System.Buffers;
using Google.Protobuf;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Tests.Workload;

public class CheckBatchTallyTests
{
    [Fact]
    public void Reads_the_verdict_count_counts_and_sequence_of_a_generated_response_and_skips_the_rest()
    {
        var response = new CheckBatchResponse
        {
            Counts = new VerdictCounts { Allowed = 997, BlockedOptedOut = 2, InvalidRecipient = 1 },
            Sequence = 1_234_567_890_123,
        };
        for (var i = 0; i < 1_000; i++)
        {
            response.Verdicts.Add(i % 500 == 0 ? Verdict.BlockedOptedOut : i == 7 ? Verdict.InvalidRecipient : Verdict.Allowed);
        }

        response.Explanations.Add(new Explanation { Index = 0, Entry = new Entry { Sequence = 42 } });

        var tally = CheckBatchTally.Decode(new ReadOnlySequence<byte>(response.ToByteArray()));

        Assert.Equal(1_000, tally.Verdicts);
        Assert.Equal(response.Counts, tally.Counts);
        Assert.Equal(1_234_567_890_123UL, tally.Sequence);
    }

    [Fact]
    public void Counts_verdicts_across_segments_and_unpacked()
    {
        var packed = new CheckBatchResponse { Verdicts = { Verdict.Allowed, Verdict.BlockedOptedOut, Verdict.BlockedSuppressed } }.ToByteArray();
        var split = TwoSegments(packed, at: 3);
        Assert.Equal(3, CheckBatchTally.Decode(split).Verdicts);

        // A proto3 parser must also accept repeated enums one tag each (field 1, varint).
        byte[] unpacked = [0x08, 0x00, 0x08, 0x02, 0x08, 0x03, 0x18, 0x05];
        var tally = CheckBatchTally.Decode(new ReadOnlySequence<byte>(unpacked));
        Assert.Equal(3, tally.Verdicts);
        Assert.Equal(5UL, tally.Sequence);
        Assert.Null(tally.Counts);
    }

    [Fact]
    public void Truncated_or_malformed_bytes_are_invalid_data()
    {
        var whole = new CheckBatchResponse { Verdicts = { Verdict.Allowed, Verdict.Allowed }, Sequence = 300 }.ToByteArray();
        for (var cut = 1; cut < whole.Length; cut++)
        {
            var bytes = whole.AsSpan(0, cut).ToArray();
            if (IsWholeFieldBoundary(whole, cut))
            {
                continue;
            }

            Assert.Throws<InvalidDataException>(() => CheckBatchTally.Decode(new ReadOnlySequence<byte>(bytes)));
        }

        Assert.Throws<InvalidDataException>(() => CheckBatchTally.Decode(new ReadOnlySequence<byte>([0x0B])));
    }

    private static bool IsWholeFieldBoundary(byte[] whole, int cut)
    {
        // The packed verdicts are tag, length 2 and two bytes: a cut right after them is a shorter, valid message.
        return cut == 4;
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int at)
    {
        var first = new Segment(bytes.AsMemory(0, at));
        var last = first.Append(bytes.AsMemory(at));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
