using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Benchmarks.Index;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Server.Gate;

namespace OptOutGate.Benchmarks.Decisions;

/// <summary>
/// One CheckBatch of 1,000 recipients in process, from the request's bytes to the response's bytes (no transport),
/// on an index of <see cref="Entries"/> opt-outs with 2 % of each batch opted out. Two codecs around the same
/// <see cref="CheckEngine"/>: the generated protobuf classes (one string per recipient) and <see cref="CheckBatchCodec"/>
/// (recipients parsed from their UTF-8 bytes, verdicts written packed), called directly and through its gRPC
/// marshallers as grpc-dotnet calls them (<see cref="Marshaller"/>).
/// <see cref="WireCompact"/> is <see cref="Wire"/> on the same numbers sent as recipients_e164 (packed integers).
/// Each invocation takes the next of 256 pre-encoded batches so that probes miss the CPU caches as in production.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class CheckBatchBenchmarks
{
    private const int BatchSize = 1000;
    private const int BatchCount = 256;
    private const string Sender = "+18005550100";

    private readonly ArrayBufferWriter<byte> _output = new(16 * 1024);
    private readonly ulong[] _numbers = new ulong[BatchSize];
    private readonly Verdict[] _verdicts = new Verdict[BatchSize];
    private readonly CheckBatchInput _input = CheckBatchInput.Rent();
    private readonly PayloadContext _payload = new();
    private readonly BodyContext _body = new();
    private string _directory = string.Empty;
    private EntryIndex? _index;
    private GateStateApplier? _applier;
    private CheckEngine? _checks;
    private byte[][] _requests = [];
    private byte[][] _compactRequests = [];
    private int _next;

    [Params(1_000_000, 10_000_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = IndexDataset.TemporaryDirectory("check");
        _index = IndexDataset.Build(_directory, Entries);

        // The dataset's tenant 1 and scope 1 as the applier would have interned them, plus an empty tenant-wide scope
        // so that a hit reads six keys (three kinds at the sender and tenant-wide), as in production.
        var scopes = new ScopeTable();
        if (scopes.InternTenant("bench") != IndexDataset.Tenant || scopes.InternScope(IndexDataset.Tenant, Sender, "") != IndexDataset.Scope)
        {
            throw new InvalidOperationException("scope ids differ from the dataset's");
        }

        scopes.InternScope(IndexDataset.Tenant, "", "");
        var config = new GateConfig();
        _applier = new GateStateApplier(_index, scopes, config, new HistoryHeads(), 0, NullLogger.Instance);
        _checks = new CheckEngine(_index, scopes, config, _applier, writes: null, TimeProvider.System);

        var batches = IndexDataset.Batches(Entries, BatchCount, BatchSize, hitPercent: 2, seed: 11);
        _requests = new byte[BatchCount][];
        _compactRequests = new byte[BatchCount][];
        for (var b = 0; b < BatchCount; b++)
        {
            var request = new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Marketing };
            var compact = new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Marketing };
            foreach (var recipient in batches[b])
            {
                request.Recipients.Add(E164.Format(recipient));
                compact.RecipientsE164.Add(recipient);
            }

            _requests[b] = request.ToByteArray();
            _compactRequests[b] = compact.ToByteArray();
        }

        // Both codecs must give the same bytes, with the expected number of blocked recipients.
        var generated = Generated();
        var generatedBytes = _output.WrittenSpan.ToArray();
        _next--;
        Wire();
        var wireBytes = _output.WrittenSpan.ToArray();
        _next--;
        Marshaller();
        var marshallerBytes = _output.WrittenSpan.ToArray();
        _next--;
        WireCompact();
        if (!wireBytes.AsSpan().SequenceEqual(generatedBytes) || !marshallerBytes.AsSpan().SequenceEqual(generatedBytes) || !_output.WrittenSpan.SequenceEqual(generatedBytes)
            || CheckBatchResponse.Parser.ParseFrom(generatedBytes).Counts.BlockedOptedOut != 20 || generated == 0)
        {
            throw new InvalidOperationException("the two codecs disagree or the dataset is wrong");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _applier?.Dispose();
        _index?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The generated parser and message classes: a string per recipient in, a RepeatedField of verdicts out.</summary>
    [Benchmark(Baseline = true)]
    public int Generated()
    {
        var request = CheckBatchRequest.Parser.ParseFrom(NextRequest());
        var count = request.Recipients.Count;
        CheckEngine.ParseRecipients(request.Recipients, _numbers);
        var query = new CheckQuery("bench", request.Sender, request.App, request.SmsType);
        var result = _checks!.CheckAsync(query, _numbers.AsMemory(0, count), _verdicts.AsMemory(0, count), null, CancellationToken.None).Result;
        return WriteGeneratedResponse(result, count);
    }

    /// <summary>
    /// The server's CheckBatch until the response went raw too: recipients parsed from the request bytes, but the
    /// response built as the generated message (a RepeatedField holding a 4-byte enum per verdict).
    /// </summary>
    [Benchmark]
    public int WireInGeneratedOut()
    {
        if (!CheckBatchCodec.TryReadRequest(NextRequest(), _input))
        {
            throw new InvalidOperationException("bad request");
        }

        var query = new CheckQuery("bench", _input.Sender, _input.App, _input.SmsType);
        var count = _input.Count;
        var result = _checks!.CheckAsync(query, _input.Recipients, _verdicts.AsMemory(0, count), null, CancellationToken.None).Result;
        return WriteGeneratedResponse(result, count);
    }

    /// <summary>
    /// <see cref="CheckBatchCodec"/> both ways, as the server's CheckBatch now runs (Server/Gate/CheckBatchOutput.cs):
    /// recipients parsed from the request bytes, verdicts written packed from the verdict array.
    /// </summary>
    [Benchmark]
    public int Wire() => CheckAndAnswer(NextRequest());

    /// <summary>
    /// <see cref="Wire"/> with the recipients as recipients_e164 (packed fixed64 E.164 digits): no text to parse, the
    /// numbering plan walked from the integers' digits.
    /// </summary>
    [Benchmark]
    public int WireCompact()
    {
        var request = _compactRequests[_next & (BatchCount - 1)];
        _next++;
        return CheckAndAnswer(request);
    }

    /// <summary>
    /// The server's CheckBatch as grpc-dotnet runs it: the request marshaller of <see cref="CheckBatchCodec.Method"/>
    /// (the request's bytes as a ReadOnlySequence, a pooled <see cref="CheckBatchInput"/>), the check into a pooled
    /// <see cref="CheckBatchOutput"/>, and the response marshaller writing into the body's buffer writer.
    /// </summary>
    [Benchmark]
    public int Marshaller()
    {
        _payload.Payload = NextRequest();
        var input = CheckBatchCodec.Method.RequestMarshaller.ContextualDeserializer(_payload);
        try
        {
            var query = new CheckQuery("bench", input.Sender, input.App, input.SmsType);
            var output = CheckBatchOutput.Rent(input.Count, input.Explain);
            var result = _checks!.CheckAsync(query, input.Recipients, output.Verdicts, null, CancellationToken.None).Result;
            output.Complete(result.Counts, result.Sequence);
            _output.ResetWrittenCount();
            _body.Output = _output;
            CheckBatchCodec.Method.ResponseMarshaller.ContextualSerializer(output, _body);
            return _output.WrittenCount;
        }
        finally
        {
            input.Dispose();
        }
    }

    /// <summary>The request read by <see cref="CheckBatchCodec"/>, checked, and the response written packed.</summary>
    private int CheckAndAnswer(byte[] request)
    {
        if (!CheckBatchCodec.TryReadRequest(request, _input))
        {
            throw new InvalidOperationException("bad request");
        }

        var query = new CheckQuery("bench", _input.Sender, _input.App, _input.SmsType);
        var count = _input.Count;
        var result = _checks!.CheckAsync(query, _input.Recipients, _verdicts.AsMemory(0, count), null, CancellationToken.None).Result;
        _output.ResetWrittenCount();
        return CheckBatchCodec.WriteResponse(_output, _verdicts.AsSpan(0, count), result.Counts, result.Sequence, null);
    }

    /// <summary>The generated response message: a RepeatedField holding a 4-byte enum per verdict, then serialized.</summary>
    private int WriteGeneratedResponse(CheckResult result, int count)
    {
        var response = new CheckBatchResponse { Counts = result.Counts.ToMessage(), Sequence = result.Sequence };
        response.Verdicts.Capacity = count;
        for (var i = 0; i < count; i++)
        {
            response.Verdicts.Add(_verdicts[i]);
        }

        _output.ResetWrittenCount();
        response.WriteTo(_output);
        return _output.WrittenCount;
    }

    private byte[] NextRequest()
    {
        var request = _requests[_next & (BatchCount - 1)];
        _next++;
        return request;
    }

    /// <summary>What grpc-dotnet hands a request marshaller: the message's bytes.</summary>
    private sealed class PayloadContext : DeserializationContext
    {
        public byte[] Payload { get; set; } = [];

        public override int PayloadLength => Payload.Length;

        public override byte[] PayloadAsNewBuffer() => Payload.ToArray();

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(Payload);
    }

    /// <summary>What grpc-dotnet hands a response marshaller: the body's buffer writer.</summary>
    private sealed class BodyContext : SerializationContext
    {
        public ArrayBufferWriter<byte> Output { get; set; } = new();

        public override void Complete(byte[] payload) => Output.Write(payload);

        public override IBufferWriter<byte> GetBufferWriter() => Output;

        public override void SetPayloadLength(int payloadLength)
        {
        }

        public override void Complete()
        {
        }
    }
}
