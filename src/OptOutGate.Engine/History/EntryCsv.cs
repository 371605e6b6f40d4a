using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Text;

namespace OptOutGate.Engine.History;

/// <summary>The ExportEntries CSV (admin.proto: kind, scope, sender, recipient, app, sms_types, source, reason,
/// update_time, sequence, carrier_message_id, actor_key_id, country).</summary>
internal static class EntryCsv
{
    private static readonly string[] Columns =
    [
        "kind", "scope", "sender", "recipient", "app", "sms_types", "source", "reason", "update_time", "sequence",
        "carrier_message_id", "actor_key_id", "country",
    ];

    public static void WriteHeader(CsvChunkWriter csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        csv.Header(Columns);
    }

    public static void WriteRow(CsvChunkWriter csv, Entry entry)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(entry);
        csv.Field(ContractNames.Of(entry.Kind));
        csv.Field(ContractNames.Of(entry.Scope));
        csv.Field(entry.Sender);
        csv.Field(entry.Recipient);
        csv.Field(entry.App);
        csv.Field(ContractNames.Join(entry.SmsTypes));
        csv.Field(ContractNames.Of(entry.Source));
        csv.Field(entry.Reason);
        csv.Field(entry.UpdateTime);
        csv.Field(entry.Sequence);
        csv.Field(entry.CarrierMessageId);
        csv.Field(entry.ActorKeyId);
        csv.Field(entry.Country);
        csv.EndRow();
    }
}
