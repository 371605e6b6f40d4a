using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
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
internal static class WebhookPayload
{
    private static readonly JsonFormatter s_records = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    private static readonly EnumDescriptor s_actions = ChangeRecord.Descriptor.FindFieldByName("action").EnumType;
    private static readonly EnumDescriptor s_eventTypes = WebhookSubscription.Descriptor.FindFieldByName("event_types").EnumType;
    private static readonly EnumDescriptor s_moActions = MoResult.Descriptor.FindFieldByName("action").EnumType;

    /// <summary>The body of one delivery: the event itself when <paramref name="asBatch"/> is false, else a batch.</summary>
    public static byte[] Build(IReadOnlyList<WebhookEvent> events, bool asBatch, DateTimeOffset now)
    {
        var buffer = new ArrayBufferWriter<byte>(1024 * events.Count);
        using (var json = new Utf8JsonWriter(buffer))
        {
            if (!asBatch && events.Count == 1)
            {
                WriteEvent(json, events[0]);
            }
            else
            {
                json.WriteStartObject();
                json.WriteString("type", "batch");
                json.WriteString("timestamp", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                json.WriteStartObject("data");
                json.WriteStartArray("events");
                foreach (var item in events)
                {
                    WriteEvent(json, item);
                }

                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

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
        json.WriteString("type", TypeOf(record.Action));
        json.WriteString("timestamp", (record.ReceiveTime ?? record.EventTime)?.ToDateTime().ToString("O", CultureInfo.InvariantCulture));
        json.WriteStartObject("data");
        json.WriteNumber("sequence", record.Sequence);
        json.WriteStartArray("event_types");
        foreach (var type in WebhookEvents.TypesOf(item.EventTypes))
        {
            json.WriteStringValue(NameOf(s_eventTypes, (int)type));
        }

        json.WriteEndArray();
        if (MoActionOf(record) is { } moAction)
        {
            json.WriteString("mo_action", NameOf(s_moActions, (int)moAction));
        }

        json.WritePropertyName("record");
        json.WriteRawValue(s_records.Format(record), skipInputValidation: true);
        json.WriteEndObject();
        json.WriteEndObject();
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
