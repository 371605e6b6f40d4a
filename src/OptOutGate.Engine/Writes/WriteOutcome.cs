namespace OptOutGate.Engine.Writes;

/// <summary>
/// What a write did for one item. Values 1-8 equal the v1 <c>RecipientOutcome</c> numbers (admin_optouts.proto), so
/// entry results convert with a cast (<see cref="WriteItemResult.ToRecipientOutcome"/>); the rest serve configuration,
/// confirmations and pre-built records.
/// </summary>
internal enum WriteOutcome
{
    /// <summary>Add: a new entry was written.</summary>
    Added = 1,

    /// <summary>Add (suppression, bypass): the entry existed and its SMS types or reason changed.</summary>
    Updated = 2,

    /// <summary>Add: an identical entry already existed; nothing was written.</summary>
    AlreadyPresent = 3,

    /// <summary>Remove: the entry was lifted.</summary>
    Removed = 4,

    /// <summary>Remove: there was no entry under this target; nothing was written.</summary>
    NotPresent = 5,

    /// <summary>The recipient is not E.164; nothing was written for it.</summary>
    InvalidRecipient = 7,

    /// <summary>
    /// Remove: the opt-out was made by the recipient (MO_KEYWORD) and the request had neither an override with a reason
    /// nor an approved removal; nothing was written. The recipient's FAILED_PRECONDITION.
    /// </summary>
    RemovalNotAllowed = 8,

    /// <summary>Configuration: the record was written.</summary>
    Written = 20,

    /// <summary>Configuration delete, or a blocking rule for an address that does not exist: nothing was written.</summary>
    NotFound = 21,

    /// <summary>Confirmation: the window was open and unused; it is now used (the CONFIRMATION may be sent).</summary>
    ConfirmationGranted = 22,

    /// <summary>Confirmation: no open, unused window; nothing was written (the CONFIRMATION is blocked).</summary>
    ConfirmationNotDue = 23,
}
