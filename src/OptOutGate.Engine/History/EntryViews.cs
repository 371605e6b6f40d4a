using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.State;
using IndexEntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.History;

/// <summary>
/// Builds the v1 <see cref="Entry"/> of an index entry from the history record that last changed it: the index keeps
/// only sequence, SMS-type mask and source (8 bytes); reason, time, MO text, carrier id and actor live in the record.
/// </summary>
internal static class EntryViews
{
    public static Entry FromRecord(IndexEntryKind kind, ChangeRecord record, byte smsTypeMask)
    {
        ArgumentNullException.ThrowIfNull(record);
        EntryTarget.TryResolve(record.Scope, record.Sender, record.App, out var sender, out var app);
        var entry = new Entry
        {
            Kind = ToContract(kind),
            Scope = EntryTarget.ScopeOf(sender, app),
            Sender = sender,
            Recipient = record.Recipient,
            App = app,
            Source = record.Source,
            Reason = record.Reason,
            UpdateTime = record.EventTime,
            Sequence = record.Sequence,
            CarrierMessageId = record.CarrierMessageId,
            ActorKeyId = record.ActorKeyId,
            MoText = record.MoText,
            MatchedKeyword = record.MatchedKeyword,

            // Records written before numbers were validated carry no country: it is a function of the number.
            Country = record.Country.Length != 0 ? record.Country : NumberingPlan.CountryOf(record.Recipient),
        };
        if (kind != IndexEntryKind.OptOut)
        {
            entry.SmsTypes.AddRange(SmsTypeMasks.ToTypes(smsTypeMask));
        }

        return entry;
    }

    public static EntryKind ToContract(IndexEntryKind kind) => kind switch
    {
        IndexEntryKind.OptOut => EntryKind.OptOut,
        IndexEntryKind.Suppression => EntryKind.Suppression,
        IndexEntryKind.Bypass => EntryKind.Bypass,
        IndexEntryKind.AddressOptIn => EntryKind.AddressOptIn,
        _ => EntryKind.Unspecified,
    };
}
