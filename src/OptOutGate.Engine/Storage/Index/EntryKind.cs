namespace OptOutGate.Engine.Storage.Index;

/// <summary>What an index entry is. Stored in the key, so one recipient can have one entry of each kind per scope.</summary>
public enum EntryKind : byte
{
    OptOut = 1,
    Suppression = 2,
    Bypass = 3,

    /// <summary>
    /// The recipient's own opt-in at one inbound address after a tenant-wide opt-out (scope (tenant, sender, "")): the
    /// tenant-wide opt-out does not block at that sender while this entry's sequence is higher than the tenant-wide
    /// entry's. Sequence order is the ordering rule: every tenant-wide opt-out that takes effect is a newer record, and
    /// the MO decision re-writes the address opt-ins that are later by event time than a late tenant-wide opt-out
    /// right after it (Mo/MoDecision), so comparing sequences at check time needs no event times in the index.
    /// </summary>
    AddressOptIn = 4,
}
