using System.Globalization;
using Google.Protobuf;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Running;

namespace OptOutGate.LoadTests.Workload;

/// <summary>
/// A fixed set of pre-built batches that the workers cycle through, like a ghz data file with many entries: building
/// 1,000 numbers per call would cost the client CPU that, on a 2-core machine, the server needs. Each batch holds
/// exactly round(batch size × opted-out share) numbers from the loaded dataset at random positions; the rest were never
/// opted out. A batch's expected BLOCKED count is therefore known, and every answer is checked against it.
/// </summary>
internal sealed class BatchPool
{
    // The same batches serialized once: CheckBatch sends these bytes (serializing 1,000 numbers per call was the
    // generator's largest CPU item after the kernel). With --compact the numbers go as recipients_e164.
    private readonly byte[][] _encoded;

    private BatchPool(CheckBatchRequest[] requests, int expectedBlocked, bool compact)
    {
        Requests = requests;
        ExpectedBlocked = expectedBlocked;
        _encoded = Array.ConvertAll(requests, r => (compact ? Compacted(r) : r).ToByteArray());
    }

    public CheckBatchRequest[] Requests { get; }

    /// <summary>Opted-out recipients per batch.</summary>
    public int ExpectedBlocked { get; }

    public int BatchSize => Requests.Length == 0 ? 0 : Requests[0].Recipients.Count;

    public CheckBatchRequest this[long n] => Requests[(int)(n % Requests.Length)];

    /// <summary>Batch <paramref name="n"/> (the same one as the indexer) as its serialized CheckBatchRequest.</summary>
    public byte[] Encoded(long n) => _encoded[(int)(n % _encoded.Length)];

    /// <summary>Every batch serialized, in order.</summary>
    public IReadOnlyList<byte[]> AllEncoded => _encoded;

    public static int OptedOutPerBatch(int batchSize, double share, long dataset) =>
        dataset == 0 ? 0 : (int)Math.Round(batchSize * share, MidpointRounding.AwayFromZero);

    public static BatchPool Create(LoadTestOptions options, RecipientSpace space)
    {
        var random = new Random(unchecked((int)(space.Seed * 7919)));
        var blocked = OptedOutPerBatch(options.BatchSize, options.OptedOutShare, options.Dataset);
        var requests = new CheckBatchRequest[options.Batches];
        var isBlocked = new bool[options.BatchSize];
        for (var b = 0; b < requests.Length; b++)
        {
            Array.Clear(isBlocked);
            for (var placed = 0; placed < blocked;)
            {
                var at = random.Next(options.BatchSize);
                if (!isBlocked[at])
                {
                    isBlocked[at] = true;
                    placed++;
                }
            }

            var request = new CheckBatchRequest { Sender = options.Sender, App = options.App, SmsType = options.SmsType };
            for (var i = 0; i < options.BatchSize; i++)
            {
                request.Recipients.Add(isBlocked[i] ? space.OptedOut(random, options.Dataset) : space.Allowed(random));
            }

            requests[b] = request;
        }

        return new BatchPool(requests, blocked, options.Compact);
    }

    /// <summary>The same batch with its numbers as recipients_e164: each E.164 text's digits as an integer.</summary>
    public static CheckBatchRequest Compacted(CheckBatchRequest request)
    {
        var compact = new CheckBatchRequest { Sender = request.Sender, App = request.App, SmsType = request.SmsType, Explain = request.Explain, MinSequence = request.MinSequence };
        foreach (var recipient in request.Recipients)
        {
            compact.RecipientsE164.Add(ulong.Parse(recipient.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture));
        }

        return compact;
    }
}
