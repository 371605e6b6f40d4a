using System.Buffers;
using OptOutGate.Contracts.V1;

namespace OptOutGate.LoadTests.Workload;

/// <summary>
/// What the load generator needs of a CheckStreamResponse, read straight from its bytes as <see cref="CheckBatchTally"/>
/// reads a CheckBatchResponse: the request id, and the batch's tally or the item's error.
/// </summary>
internal sealed class CheckStreamTally
{
    public ulong RequestId { get; private set; }

    public CheckBatchTally? Batch { get; private set; }

    public ItemError? Error { get; private set; }

    /// <exception cref="InvalidDataException">The bytes are not a well-formed message.</exception>
    public static CheckStreamTally Decode(ReadOnlySequence<byte> message)
    {
        var tally = new CheckStreamTally();
        var reader = new SequenceReader<byte>(message);
        while (!reader.End)
        {
            var tag = CheckBatchTally.ReadVarint(ref reader);
            var wireType = (int)(tag & 7);
            switch ((tag >> 3, wireType))
            {
                case (1, 0):
                    tally.RequestId = CheckBatchTally.ReadVarint(ref reader);
                    break;
                case (2, 2):
                    tally.Batch = CheckBatchTally.Decode(CheckBatchTally.Slice(ref reader));
                    tally.Error = null;
                    break;
                case (3, 2):
                    tally.Error = ItemError.Parser.ParseFrom(CheckBatchTally.Slice(ref reader));
                    tally.Batch = null;
                    break;
                default:
                    CheckBatchTally.Skip(ref reader, wireType);
                    break;
            }
        }

        return tally;
    }
}
