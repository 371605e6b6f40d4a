using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using OptOutGate.Benchmarks.Index;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Server.Gate;

namespace OptOutGate.Benchmarks.Decisions;

/// <summary>
/// The request half of a CheckBatch of 1,000 recipients alone (no index): <see cref="CheckBatchCodec.TryReadRequest(ReadOnlySpan{byte}, CheckBatchInput)"/>
/// on the text form (<c>recipients</c>: digits parsed and the numbering plan walked with them) and on the compact form
/// (<c>recipients_e164</c>, packed fixed64: the numbers copied out, then <see cref="NumberingPlanTable.KeepValid"/>
/// spells each number's digits for the same walk). Each invocation takes the next of 256 pre-encoded batches.
/// The dataset's numbers are UK mobiles (12 digits); <see cref="CompactThirteenDigits"/> walks Brazilian and Chinese
/// mobiles (13 digits, as the load generator's race sends), whose high part is one digit longer.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class CheckBatchParseBenchmarks
{
    private const int BatchSize = 1000;
    private const int BatchCount = 256;

    private readonly CheckBatchInput _input = CheckBatchInput.Rent();
    private byte[][] _text = [];
    private byte[][] _compact = [];
    private byte[][] _compactThirteen = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var batches = IndexDataset.Batches(10_000_000, BatchCount, BatchSize, hitPercent: 2, seed: 11);
        _text = new byte[BatchCount][];
        _compact = new byte[BatchCount][];
        for (var b = 0; b < BatchCount; b++)
        {
            var text = new CheckBatchRequest { Sender = "+18005550100", SmsType = SmsType.Marketing };
            var compact = new CheckBatchRequest { Sender = "+18005550100", SmsType = SmsType.Marketing };
            for (var i = 0; i < BatchSize; i++)
            {
                text.Recipients.Add(E164.Format(batches[b][i]));
                compact.RecipientsE164.Add(batches[b][i]);
            }

            _text[b] = text.ToByteArray();
            _compact[b] = compact.ToByteArray();
        }

        // Mobile numbers of 13 digits: +55, an area code, 9 and eight digits; +86 13x and eight digits.
        string[] prefixes = ["55119", "55219", "55319", "55479", "55619", "55719", "55819", "55919", "86130", "86133", "86135", "86138", "86139"];
        var random = new Random(13);
        _compactThirteen = new byte[BatchCount][];
        for (var b = 0; b < BatchCount; b++)
        {
            var compact = new CheckBatchRequest { Sender = "+18005550100", SmsType = SmsType.Marketing };
            for (var i = 0; i < BatchSize; i++)
            {
                compact.RecipientsE164.Add((ulong.Parse(prefixes[random.Next(prefixes.Length)], System.Globalization.CultureInfo.InvariantCulture) * 100_000_000UL) + (ulong)random.Next(100_000_000));
            }

            _compactThirteen[b] = compact.ToByteArray();
        }

        Read(_compactThirteen[0]);
        if (_input.Recipients.Span.IndexOf(0UL) >= 0)
        {
            throw new InvalidOperationException("a 13-digit number the plans do not allow");
        }

        // Both forms must give the same numbers.
        Text();
        var fromText = _input.Recipients.ToArray();
        _next--;
        Compact();
        if (!fromText.AsSpan().SequenceEqual(_input.Recipients.Span) || Array.IndexOf(fromText, 0UL) >= 0)
        {
            throw new InvalidOperationException("the two forms disagree");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _input.Dispose();

    /// <summary>Text recipients: digits to numbers, the numbering plan walked with them.</summary>
    [Benchmark(Baseline = true)]
    public int Text() => Read(_text[_next++ & (BatchCount - 1)]);

    /// <summary>recipients_e164: the numbers copied out of the packed field, then their digits spelled for the same walk.</summary>
    [Benchmark]
    public int Compact() => Read(_compact[_next++ & (BatchCount - 1)]);

    /// <summary><see cref="Compact"/> on numbers of 13 digits.</summary>
    [Benchmark]
    public int CompactThirteenDigits() => Read(_compactThirteen[_next++ & (BatchCount - 1)]);

    private int Read(byte[] request)
    {
        if (!CheckBatchCodec.TryReadRequest(request, _input))
        {
            throw new InvalidOperationException("bad request");
        }

        return _input.Count;
    }
}
