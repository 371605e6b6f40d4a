using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.State;
using IndexEntryKind = OptOutGate.Engine.Index.EntryKind;

namespace OptOutGate.Engine.History;

/// <summary>
/// Builds the v1 <see cref="Entry"/> of an index entry from the history record that last changed it: the index keeps
/// only sequence, SMS-type mask and source (8 bytes); reason, time, carrier id and actor live in the record.
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

    /// <summary>The kind of entry a record made (a snapshot base holds one such record per entry); false for any other record.</summary>
    public static bool TryEntryOf(ChangeRecord record, out IndexEntryKind kind)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Action == ChangeAction.OptIn && record.LiftsTenantOptOut)
        {
            kind = IndexEntryKind.AddressOptIn;
            return true;
        }

        return TryKindOf(record.Action, out kind, out var adds) && adds;
    }

    /// <summary>The entry kind a record's action changes; false for actions that change no entry.</summary>
    public static bool TryKindOf(ChangeAction action, out IndexEntryKind kind, out bool adds)
    {
        (kind, adds) = action switch
        {
            ChangeAction.OptOut => (IndexEntryKind.OptOut, true),
            ChangeAction.OptIn or ChangeAction.OptOutRemoved => (IndexEntryKind.OptOut, false),
            ChangeAction.Suppress => (IndexEntryKind.Suppression, true),
            ChangeAction.Unsuppress => (IndexEntryKind.Suppression, false),
            ChangeAction.BypassAdd => (IndexEntryKind.Bypass, true),
            ChangeAction.BypassRemove => (IndexEntryKind.Bypass, false),
            _ => ((IndexEntryKind)0, false),
        };
        return kind != 0;
    }
}
