using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Webhooks;
using OptOutGate.Server.Webhooks;

namespace OptOutGate.Benchmarks.Webhooks;

/// <summary>
/// A delivery's body per event: one reply-callback record (an MO, every field an MO record has) written into the body
/// by protobuf's JsonFormatter (into a string, then copied into the body: how deliveries did it) and by the body's own
/// record writer (ChangeRecordJson); and a whole batch body of 100 events with its signature. In-process, so both ways
/// run in the same process at the same hour.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class WebhookPayloadBenchmarks
{
    private static readonly JsonFormatter s_formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    private readonly ArrayBufferWriter<byte> _buffer = new(256 * 1024);
    private readonly WebhookPayload _payload = new();
    private readonly byte[][] _keys = [new byte[32]];
    private Utf8JsonWriter _json = null!;
    private ChangeRecord _record = null!;
    private List<WebhookEvent> _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        _record = new ChangeRecord
        {
            Sequence = 1_043_221,
            EventTime = Timestamp.FromDateTime(new DateTime(2026, 12, 5, 14, 2, 51, DateTimeKind.Utc)),
            ReceiveTime = new Timestamp { Seconds = 1_796_565_771, Nanos = 123_456_700 },
            TenantId = "acme",
            Sender = "+18005550100",
            Recipient = "+14155550101",
            Action = ChangeAction.MoReceived,
            Source = Source.MoKeyword,
            MoText = "Thanks! See you on Saturday at the store",
            CarrierMessageId = "carrier-msg-1043221",
            Rule = ClassificationRule.None,
            ActorKeyId = "carrier",
            InboundAddress = "+18005550100",
            CarrierTime = Timestamp.FromDateTime(new DateTime(2026, 12, 5, 14, 2, 51, DateTimeKind.Utc)),
            Country = "US",
        };
        _batch = [.. Enumerable.Range(0, 100).Select(i => new WebhookEvent(_record.Clone(), 1 << (int)WebhookEventType.MoReply))];
    }

    [Benchmark(Baseline = true)]
    public long RecordByJsonFormatter()
    {
        Reset();
        _json.WritePropertyName("record");
        _json.WriteRawValue(s_formatter.Format(_record), skipInputValidation: true);
        _json.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public long RecordByWriter()
    {
        Reset();
        _json.WritePropertyName("record");
        ChangeRecordJson.Write(_json, _record);
        _json.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = 100)]
    public int BatchOf100SignedBody()
    {
        var body = _payload.Build(_batch, asBatch: true, DateTimeOffset.UnixEpoch);
        return WebhookSignature.Header(_keys, "wh_0_1-100", 1, body.Span).Length + body.Length;
    }

    private void Reset()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
    }
}
