using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf.Reflection;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Webhooks;

namespace OptOutGate.Server.Webhooks;

/// <summary>
/// The JSON bodies, in the Standard Webhooks payload shape <c>{"type", "timestamp", "data"}</c>. One event:
/// <c>type</c> is the record's action ("opt_out", "mo_received"...), <c>timestamp</c> its receive time, and <c>data</c>
/// holds <c>sequence</c>, <c>event_types</c>, for MO records the <c>mo_action</c> the MO result reported, and the
/// whole <c>record</c> in protobuf's JSON mapping (lowerCamelCase names, enums by name, 64-bit numbers as strings). A
/// batch: <c>type</c> "batch", <c>data.events</c> the events in sequence order. README "Webhooks" shows both.
/// </summary>
internal sealed class WebhookPayload : IDisposable
{
    // Bodies carry MO texts in any script: written as UTF-8, with only what JSON requires escaped (as JsonFormatter
    // does), not the HTML-safe escaping of the default encoder ("+" would become "\u002B" in every phone number).
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly EnumDescriptor s_actions = ChangeRecord.Descriptor.FindFieldByName("action").EnumType;
    private static readonly EnumDescriptor s_eventTypes = WebhookSubscription.Descriptor.FindFieldByName("event_types").EnumType;
    private static readonly EnumDescriptor s_moActions = MoResult.Descriptor.FindFieldByName("action").EnumType;
    private static readonly Dictionary<ChangeAction, JsonEncodedText> s_types = TypeNames();

    // Event type names by number, for the bits of WebhookEvents' mask (bit n = WebhookEventType n).
    private static readonly JsonEncodedText?[] s_eventTypeNames = EventTypeNames();

    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Utf8JsonWriter _json;

    /// <summary>A writer whose buffer is reused from one body to the next (a worker has one POST in flight at a time).</summary>
    public WebhookPayload() => _json = new Utf8JsonWriter(_buffer, s_options);

    /// <summary>
    /// The body of one delivery: the event itself when <paramref name="asBatch"/> is false, else a batch. Valid until the
    /// next call (the buffer is reused).
    /// </summary>
    public ReadOnlyMemory<byte> Build(IReadOnlyList<WebhookEvent> events, bool asBatch, DateTimeOffset now)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        if (!asBatch && events.Count == 1)
        {
            WriteEvent(_json, events[0]);
        }
        else
        {
            _json.WriteStartObject();
            _json.WriteString("type", "batch");
            _json.WriteString("timestamp", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            _json.WriteStartObject("data");
            _json.WriteStartArray("events");
            foreach (var item in events)
            {
                WriteEvent(_json, item);
            }

            _json.WriteEndArray();
            _json.WriteEndObject();
            _json.WriteEndObject();
        }

        _json.Flush();
        return _buffer.WrittenMemory;
    }

    public void Dispose() => _json.Dispose();

    /// <summary>The test delivery's body (type "webhook.test"), naming the subscription.</summary>
    public static byte[] Test(string subscriptionId, DateTimeOffset now)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "webhook.test");
            json.WriteString("timestamp", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteStartObject("data");
            json.WriteString("subscription_id", subscriptionId);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>"opt_out" for CHANGE_ACTION_OPT_OUT: the action's proto name without its prefix, lower case.</summary>
    public static string TypeOf(ChangeAction action)
    {
        var name = s_actions.FindValueByNumber((int)action)?.Name ?? "CHANGE_ACTION_UNSPECIFIED";
        return name["CHANGE_ACTION_".Length..].ToLowerInvariant();
    }

    private static void WriteEvent(Utf8JsonWriter json, WebhookEvent item)
    {
        var record = item.Record;
        json.WriteStartObject();
        if (s_types.TryGetValue(record.Action, out var type))
        {
            json.WriteString("type", type);
        }
        else
        {
            json.WriteString("type", TypeOf(record.Action));
        }

        if ((record.ReceiveTime ?? record.EventTime) is { } time)
        {
            Span<char> text = stackalloc char[40];
            time.ToDateTime().TryFormat(text, out var length, "O", CultureInfo.InvariantCulture);
            json.WriteString("timestamp", text[..length]);
        }
        else
        {
            json.WriteNull("timestamp");
        }

        json.WriteStartObject("data");
        json.WriteNumber("sequence", record.Sequence);
        json.WriteStartArray("event_types");
        for (var bit = 0; bit < s_eventTypeNames.Length; bit++)
        {
            if ((item.EventTypes & (1 << bit)) != 0 && s_eventTypeNames[bit] is { } name)
            {
                json.WriteStringValue(name.Value);
            }
        }

        json.WriteEndArray();
        if (MoActionOf(record) is { } moAction)
        {
            json.WriteString("mo_action", NameOf(s_moActions, (int)moAction));
        }

        json.WritePropertyName("record");
        ChangeRecordJson.Write(json, record);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static JsonEncodedText?[] EventTypeNames()
    {
        var names = new JsonEncodedText?[32];
        foreach (var type in WebhookEvents.TypesOf(-1))
        {
            names[(int)type] = JsonEncodedText.Encode(NameOf(s_eventTypes, (int)type));
        }

        return names;
    }

    private static Dictionary<ChangeAction, JsonEncodedText> TypeNames()
    {
        var names = new Dictionary<ChangeAction, JsonEncodedText>();
        foreach (var value in s_actions.Values)
        {
            names[(ChangeAction)value.Number] = JsonEncodedText.Encode(TypeOf((ChangeAction)value.Number));
        }

        return names;
    }

    /// <summary>For an MO's own record: the action its MO result reported (the reply callback's classification).</summary>
    private static MoAction? MoActionOf(ChangeRecord record)
    {
        if (record.Source != Source.MoKeyword || record.CarrierTime is null)
        {
            return null;
        }

        return record.Action switch
        {
            ChangeAction.MoReceived => record.Rule == ClassificationRule.LeadingHelp ? MoAction.Help : MoAction.None,
            ChangeAction.Ambiguous => MoAction.Ambiguous,
            ChangeAction.OptOut or ChangeAction.OptIn when record.KeywordEffect == KeywordEffect.Superseded => MoAction.Superseded,
            ChangeAction.OptOut => MoAction.OptedOut,
            ChangeAction.OptIn => MoAction.OptedIn,
            _ => null,
        };
    }

    private static string NameOf(EnumDescriptor descriptor, int number) => descriptor.FindValueByNumber(number)?.Name ?? number.ToString(CultureInfo.InvariantCulture);
}
