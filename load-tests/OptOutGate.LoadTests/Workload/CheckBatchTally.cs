using System.Buffers;
using OptOutGate.Contracts.V1;

namespace OptOutGate.LoadTests.Workload;

/// <summary>
/// What the load generator needs of a CheckBatchResponse, read straight from its bytes: how many verdicts came back
/// and the counts (to check every answer), without building the generated message (a 4-byte enum per verdict in a
/// growing list: on a 2-core machine the generator's CPU and garbage are taken from the gate it measures). Field
/// numbers are those of protos/optoutgate/v1/gate.proto; verdicts are counted packed or not, unknown fields skipped.
/// </summary>
internal sealed class CheckBatchTally
{
    private const int VerdictsField = 1;
    private const int CountsField = 2;
    private const int SequenceField = 3;

    public int Verdicts { get; private set; }

    public VerdictCounts? Counts { get; private set; }

    public ulong Sequence { get; private set; }

    /// <exception cref="InvalidDataException">The bytes are not a well-formed message.</exception>
    public static CheckBatchTally Decode(ReadOnlySequence<byte> message)
    {
        var tally = new CheckBatchTally();
        var reader = new SequenceReader<byte>(message);
        while (!reader.End)
        {
            var tag = ReadVarint(ref reader);
            var field = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            switch ((field, wireType))
            {
                case (VerdictsField, 2):
                    tally.Verdicts += CountVarints(Slice(ref reader));
                    break;
                case (VerdictsField, 0):
                    ReadVarint(ref reader);
                    tally.Verdicts++;
                    break;
                case (CountsField, 2):
                    tally.Counts = VerdictCounts.Parser.ParseFrom(Slice(ref reader));
                    break;
                case (SequenceField, 0):
                    tally.Sequence = ReadVarint(ref reader);
                    break;
                default:
                    Skip(ref reader, wireType);
                    break;
            }
        }

        return tally;
    }

    internal static ulong ReadVarint(ref SequenceReader<byte> reader)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                throw new InvalidDataException("The message ends inside a varint.");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("A varint is longer than 10 bytes.");
    }

    /// <summary>The next length-delimited field's bytes; the reader moves past them.</summary>
    internal static ReadOnlySequence<byte> Slice(ref SequenceReader<byte> reader)
    {
        var length = ReadVarint(ref reader);
        if (length > (ulong)reader.Remaining)
        {
            throw new InvalidDataException($"A field of {length} bytes runs past the end of the message.");
        }

        var slice = reader.UnreadSequence.Slice(0, (long)length);
        reader.Advance((long)length);
        return slice;
    }

    /// <summary>Packed varints end in a byte below 0x80: counting those counts the values.</summary>
    private static int CountVarints(ReadOnlySequence<byte> packed)
    {
        var count = 0;
        foreach (var segment in packed)
        {
            foreach (var b in segment.Span)
            {
                if (b < 0x80)
                {
                    count++;
                }
            }
        }

        if (!packed.IsEmpty && packed.Slice(packed.Length - 1).FirstSpan[0] >= 0x80)
        {
            throw new InvalidDataException("The packed verdicts end inside a varint.");
        }

        return count;
    }

    internal static void Skip(ref SequenceReader<byte> reader, int wireType)
    {
        switch (wireType)
        {
            case 0:
                ReadVarint(ref reader);
                break;
            case 1:
                Advance(ref reader, 8);
                break;
            case 2:
                Slice(ref reader);
                break;
            case 5:
                Advance(ref reader, 4);
                break;
            default:
                throw new InvalidDataException($"Wire type {wireType} is not a proto3 wire type.");
        }
    }

    private static void Advance(ref SequenceReader<byte> reader, int count)
    {
        if (reader.Remaining < count)
        {
            throw new InvalidDataException("The message ends inside a fixed-size field.");
        }

        reader.Advance(count);
    }
}
