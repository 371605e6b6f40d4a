using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// A <see cref="ChangeRecord"/> in protobuf's JSON mapping (what <see cref="JsonFormatter"/> writes with default values
/// left out: lowerCamelCase names, enums by their proto names, 64-bit integers as strings, timestamps in RFC 3339 with
/// 0, 3, 6 or 9 fractional digits), written straight into the body's <see cref="Utf8JsonWriter"/>.
/// </summary>
/// <remarks>
/// Why not JsonFormatter for every record: it walks the descriptor with boxed reflection reads into a UTF-16 string that
/// the body then transcodes again, and with a reply callback every MO is one such record: it was the largest part of a
/// delivery's CPU per event. The configuration message of a CONFIG record (rare, and deep) still goes through
/// JsonFormatter. <see cref="FieldNumbers"/> lists the fields written; a test compares the output with JsonFormatter's
/// for records with every field set and fails when the contract gains a field this writer does not know.
/// </remarks>
internal static class ChangeRecordJson
{
    private static readonly JsonFormatter s_formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    private static readonly JsonEncodedText[] s_names = Names();
    private static readonly EnumNames s_actions = new(EnumOf("action"));
    private static readonly EnumNames s_scopes = new(EnumOf("scope"));
    private static readonly EnumNames s_smsTypes = new(EnumOf("sms_types"));
    private static readonly EnumNames s_sources = new(EnumOf("source"));
    private static readonly EnumNames s_rules = new(EnumOf("rule"));
    private static readonly EnumNames s_effects = new(EnumOf("keyword_effect"));

    /// <summary>The field numbers of <see cref="ChangeRecord"/> this writer writes.</summary>
    public static IReadOnlyList<int> FieldNumbers { get; } = [.. Enumerable.Range(1, 29)];

    public static void Write(Utf8JsonWriter json, ChangeRecord record)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(record);
        json.WriteStartObject();
        Number(json, 1, record.Sequence);
        Time(json, 2, record.EventTime);
        Time(json, 3, record.ReceiveTime);
        Text(json, 4, record.TenantId);
        Text(json, 5, record.Sender);
        Text(json, 6, record.Recipient);
        Text(json, 7, record.App);
        Enum(json, 8, s_actions, (int)record.Action);
        Enum(json, 9, s_scopes, (int)record.Scope);
        if (record.SmsTypes.Count != 0)
        {
            json.WriteStartArray(s_names[10]);
            foreach (var type in record.SmsTypes)
            {
                s_smsTypes.WriteValue(json, (int)type);
            }

            json.WriteEndArray();
        }

        Enum(json, 11, s_sources, (int)record.Source);
        Text(json, 12, record.Reason);
        Text(json, 13, record.MoText);
        Text(json, 14, record.CarrierMessageId);
        Text(json, 15, record.MatchedKeyword);
        Text(json, 16, record.ActorKeyId);
        Text(json, 17, record.SourceName);
        Text(json, 18, record.ProviderErrorCode);
        Text(json, 19, record.RemovalRequestId);
        Text(json, 20, record.ReviewItemId);
        if (record.Config is { } config)
        {
            json.WritePropertyName(s_names[21]);
            json.WriteRawValue(s_formatter.Format(config), skipInputValidation: true);
        }

        Enum(json, 22, s_rules, (int)record.Rule);
        Enum(json, 23, s_effects, (int)record.KeywordEffect);
        Number(json, 24, record.SupersededBySequence);
        if (record.LiftsTenantOptOut)
        {
            json.WriteBoolean(s_names[25], true);
        }

        Text(json, 26, record.InboundAddress);
        Time(json, 27, record.CarrierTime);
        Text(json, 28, record.Country);
        Text(json, 29, record.ReplyText);
        json.WriteEndObject();
    }

    private static void Text(Utf8JsonWriter json, int field, string value)
    {
        if (value.Length != 0)
        {
            json.WriteString(s_names[field], value);
        }
    }

    private static void Number(Utf8JsonWriter json, int field, ulong value)
    {
        if (value != 0)
        {
            Span<byte> digits = stackalloc byte[20];
            Utf8Formatter.TryFormat(value, digits, out var length);
            json.WriteString(s_names[field], digits[..length]);
        }
    }

    private static void Enum(Utf8JsonWriter json, int field, EnumNames names, int value)
    {
        if (value != 0)
        {
            json.WritePropertyName(s_names[field]);
            names.WriteValue(json, value);
        }
    }

    /// <summary>Protobuf's Timestamp JSON: UTC, seconds, then 3, 6 or 9 fractional digits as the nanoseconds need, "Z".</summary>
    private static void Time(Utf8JsonWriter json, int field, Timestamp? time)
    {
        if (time is null)
        {
            return;
        }

        if (time.Seconds is < -62_135_596_800 or > 253_402_300_799 || time.Nanos is < 0 or > 999_999_999)
        {
            // Out of the mapping's range: JsonFormatter's own handling (an error), not a guess.
            json.WritePropertyName(s_names[field]);
            json.WriteRawValue(s_formatter.Format(time), skipInputValidation: true);
            return;
        }

        Span<byte> text = stackalloc byte[32];
        var at = DateTime.UnixEpoch.AddSeconds(time.Seconds);
        at.TryFormat(text, out var length, "yyyy'-'MM'-'dd'T'HH':'mm':'ss", System.Globalization.CultureInfo.InvariantCulture);
        var nanos = time.Nanos;
        if (nanos != 0)
        {
            var (divisor, digits) = nanos % 1_000_000 == 0 ? (1_000_000, 3) : nanos % 1_000 == 0 ? (1_000, 6) : (1, 9);
            text[length++] = (byte)'.';
            Utf8Formatter.TryFormat(nanos / divisor, text[length..], out var written, new StandardFormat('D', (byte)digits));
            length += written;
        }

        text[length++] = (byte)'Z';
        json.WriteString(s_names[field], text[..length]);
    }

    private static EnumDescriptor EnumOf(string field) => ChangeRecord.Descriptor.FindFieldByName(field).EnumType;

    private static JsonEncodedText[] Names()
    {
        var names = new JsonEncodedText[30];
        foreach (var field in ChangeRecord.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldNumber < names.Length)
            {
                names[field.FieldNumber] = JsonEncodedText.Encode(field.JsonName);
            }
        }

        return names;
    }

    /// <summary>An enum's value names by number; a number the contract does not name is written as the number (as JsonFormatter does).</summary>
    private sealed class EnumNames
    {
        private readonly Dictionary<int, JsonEncodedText> _names = [];

        public EnumNames(EnumDescriptor descriptor)
        {
            foreach (var value in descriptor.Values)
            {
                _names[value.Number] = JsonEncodedText.Encode(value.Name);
            }
        }

        public void WriteValue(Utf8JsonWriter json, int value)
        {
            if (_names.TryGetValue(value, out var name))
            {
                json.WriteStringValue(name);
            }
            else
            {
                json.WriteNumberValue(value);
            }
        }
    }
}
