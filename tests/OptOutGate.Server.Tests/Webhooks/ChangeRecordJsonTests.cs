using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Webhooks;

namespace OptOutGate.Server.Tests.Webhooks;

/// <summary>
/// The webhook body's record writer says what protobuf's JsonFormatter says (the receiver contract): the same JSON value
/// for records with every field set, random texts (quotes, control characters, any script), timestamps of every
/// precision and enum numbers the contract does not name; and it knows every field of ChangeRecord.
/// </summary>
public sealed class ChangeRecordJsonTests
{
    private static readonly JsonFormatter s_formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    [Fact]
    public void WritesEveryFieldOfTheContract()
    {
        var fields = ChangeRecord.Descriptor.Fields.InFieldNumberOrder().Select(f => f.FieldNumber).ToList();
        Assert.Equal(fields, ChangeRecordJson.FieldNumbers);
    }

    [Fact]
    public void SameJsonValueAsJsonFormatter_ForRandomRecords()
    {
        var random = new Random(1718);
        for (var i = 0; i < 2_000; i++)
        {
            var record = RandomRecord(random, full: i % 2 == 0);
            using var expected = JsonDocument.Parse(s_formatter.Format(record));
            using var actual = JsonDocument.Parse(Write(record));
            Assert.True(JsonElement.DeepEquals(expected.RootElement, actual.RootElement), $"record {i}:\n{expected.RootElement}\n{actual.RootElement}");
        }
    }

    [Fact]
    public void EmptyRecord_IsAnEmptyObject() => Assert.Equal("{}", System.Text.Encoding.UTF8.GetString(Write(new ChangeRecord())));

    private static byte[] Write(ChangeRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            ChangeRecordJson.Write(json, record);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static ChangeRecord RandomRecord(Random random, bool full)
    {
        string Text() => full || random.Next(2) == 0 ? RandomText(random) : "";
        Timestamp? Time() => full || random.Next(2) == 0 ? RandomTime(random) : null;
        var record = new ChangeRecord
        {
            Sequence = full ? (ulong)random.NextInt64(1, long.MaxValue) : (ulong)random.Next(2),
            EventTime = Time(),
            ReceiveTime = Time(),
            TenantId = Text(),
            Sender = Text(),
            Recipient = "+1415555" + random.Next(1000, 9999),
            App = Text(),
            Action = (ChangeAction)random.Next(0, 20),
            Scope = (Scope)random.Next(0, 5),
            Source = (Source)random.Next(0, 9),
            Reason = Text(),
            MoText = Text(),
            CarrierMessageId = Text(),
            MatchedKeyword = Text(),
            Rule = (ClassificationRule)random.Next(0, 12),
            ActorKeyId = Text(),
            SourceName = Text(),
            ProviderErrorCode = Text(),
            RemovalRequestId = Text(),
            ReviewItemId = Text(),
            KeywordEffect = (KeywordEffect)random.Next(0, 5),
            SupersededBySequence = full ? (ulong)random.NextInt64(1, long.MaxValue) : 0,
            LiftsTenantOptOut = full || random.Next(2) == 0,
            InboundAddress = Text(),
            CarrierTime = Time(),
            Country = Text(),
            ReplyText = Text(),
        };
        for (var n = random.Next(full ? 1 : 0, 4); n > 0; n--)
        {
            record.SmsTypes.Add((SmsType)random.Next(0, 7));
        }

        if (full && random.Next(2) == 0)
        {
            record.Config = new ConfigChange { BlockingRule = new BlockingRule { Sender = Text(), App = Text(), BlockedSmsTypes = { SmsType.Marketing } } };
        }

        return record;
    }

    private static string RandomText(Random random)
    {
        string[] pieces = ["STOP", "+", "\"", "\\", "\n", "\t", "\u0001", "\u007f", "é", "退订", "😊", "<b>&amp;</b>", "'", "/", " ", "\u2028", "\u00a0"];
        var parts = new string[random.Next(1, 6)];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = pieces[random.Next(pieces.Length)];
        }

        return string.Concat(parts);
    }

    private static Timestamp RandomTime(Random random)
    {
        int[] nanos = [0, 1, 5_000, 123_000_000, 123_456_000, 123_456_789, 999_999_999, 100_000_000];
        return new Timestamp { Seconds = random.NextInt64(-62_135_596_800, 253_402_300_800), Nanos = nanos[random.Next(nanos.Length)] };
    }
}
