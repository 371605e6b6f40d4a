using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// Which <see cref="EntryKind"/> a change record's action makes or lifts: the one rule the applier, snapshot loading,
/// history and admin reads share, kept beside the index so that storage needs nothing above it.
/// </summary>
internal static class EntryKinds
{
    /// <summary>The kind of entry a record made (a snapshot base holds one such record per entry); false for any other record.</summary>
    public static bool TryEntryOf(ChangeRecord record, out EntryKind kind)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Action == ChangeAction.OptIn && record.LiftsTenantOptOut)
        {
            kind = EntryKind.AddressOptIn;
            return true;
        }

        return TryKindOf(record.Action, out kind, out var adds) && adds;
    }

    /// <summary>The entry kind a record's action changes; false for actions that change no entry.</summary>
    public static bool TryKindOf(ChangeAction action, out EntryKind kind, out bool adds)
    {
        (kind, adds) = action switch
        {
            ChangeAction.OptOut => (EntryKind.OptOut, true),
            ChangeAction.OptIn or ChangeAction.OptOutRemoved => (EntryKind.OptOut, false),
            ChangeAction.Suppress => (EntryKind.Suppression, true),
            ChangeAction.Unsuppress => (EntryKind.Suppression, false),
            ChangeAction.BypassAdd => (EntryKind.Bypass, true),
            ChangeAction.BypassRemove => (EntryKind.Bypass, false),
            _ => ((EntryKind)0, false),
        };
        return kind != 0;
    }
}
