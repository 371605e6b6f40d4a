using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// What an opt-out or opt-in record does to state, by its <see cref="ChangeRecord.KeywordEffect"/> (changes.proto
/// KeywordEffect). The applier and the write pipeline's overlay both follow these rules, so that validation sees what
/// the applier will do. Records without an effect (every non-MO record, and MO records written before the field
/// existed) apply as their action says.
/// </summary>
internal static class KeywordEffects
{
    /// <summary>
    /// Whether the record writes (opt-out) or lifts (opt-in) the entry of its own scope. A superseded event is history
    /// only; an unchanged opt-out re-affirms its entry (its record becomes the entry's last, so the latest event is what
    /// the entry shows); an unchanged opt-in has nothing to lift, and a re-applied address opt-in must not lift a later
    /// opt-out of the address.
    /// </summary>
    public static bool WritesEntry(ChangeRecord record) => record.KeywordEffect switch
    {
        KeywordEffect.Superseded => false,
        KeywordEffect.Unchanged => record.Action == ChangeAction.OptOut,
        _ => true,
    };

    /// <summary>Whether the record opens the recipient's confirmation window: only a change that took effect does.</summary>
    public static bool OpensConfirmationWindow(ChangeRecord record) =>
        record.KeywordEffect is KeywordEffect.Unspecified or KeywordEffect.Changed;

    /// <summary>The address a confirmation of this record goes from: the MO's inbound address, else the record's sender.</summary>
    public static string ConfirmationSender(ChangeRecord record) =>
        record.InboundAddress.Length != 0 ? record.InboundAddress : record.Sender;
}
