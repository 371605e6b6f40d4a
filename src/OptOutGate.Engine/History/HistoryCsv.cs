using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Text;

namespace OptOutGate.Engine.History;

/// <summary>The ExportHistory CSV: one row per record with the columns of ChangeRecord (admin_history.proto).</summary>
internal static class HistoryCsv
{
    private static readonly string[] Columns =
    [
        "sequence", "event_time", "receive_time", "sender", "recipient", "app", "action", "scope", "sms_types", "source",
        "reason", "mo_text", "carrier_message_id", "matched_keyword", "actor_key_id", "source_name", "provider_error_code",
        "removal_request_id", "review_item_id", "country", "inbound_address", "carrier_time", "keyword_effect",
        "superseded_by_sequence", "lifts_tenant_opt_out", "reply_text",
    ];

    public static void WriteHeader(CsvChunkWriter csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        csv.Header(Columns);
    }

    public static void WriteRow(CsvChunkWriter csv, ChangeRecord record)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(record);
        csv.Field(record.Sequence);
        csv.Field(record.EventTime);
        csv.Field(record.ReceiveTime);
        csv.Field(record.Sender);
        csv.Field(record.Recipient);
        csv.Field(record.App);
        csv.Field(ContractNames.Of(record.Action));
        csv.Field(record.Scope == Scope.Unspecified ? "" : ContractNames.Of(record.Scope));
        csv.Field(ContractNames.Join(record.SmsTypes));
        csv.Field(ContractNames.Of(record.Source));
        csv.Field(record.Reason);
        csv.Field(record.MoText);
        csv.Field(record.CarrierMessageId);
        csv.Field(record.MatchedKeyword);
        csv.Field(record.ActorKeyId);
        csv.Field(record.SourceName);
        csv.Field(record.ProviderErrorCode);
        csv.Field(record.RemovalRequestId);
        csv.Field(record.ReviewItemId);
        csv.Field(record.Country.Length != 0 || record.Recipient.Length == 0 ? record.Country : NumberingPlan.CountryOf(record.Recipient));
        csv.Field(record.InboundAddress);
        csv.Field(record.CarrierTime);
        csv.Field(record.KeywordEffect == KeywordEffect.Unspecified ? "" : ContractNames.Of(record.KeywordEffect));
        csv.Field(record.SupersededBySequence == 0 ? "" : record.SupersededBySequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        csv.Field(record.LiftsTenantOptOut ? "true" : "");
        csv.Field(record.ReplyText);
        csv.EndRow();
    }
}
