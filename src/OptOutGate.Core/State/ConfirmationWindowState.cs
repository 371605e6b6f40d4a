namespace OptOutGate.Core.State;

/// <summary>
/// The confirmation window of one (tenant, sender, recipient): opened by an opt-out or opt-in record, it allows one
/// CONFIRMATION until <see cref="ExpireTime"/> (the record's receive time plus the tenant's window); a
/// CHANGE_ACTION_CONFIRMATION_SENT record marks it <see cref="Used"/>.
/// </summary>
/// <param name="ExpireTime">UTC instant the window closes (exclusive).</param>
/// <param name="Used">The one CONFIRMATION was already allowed.</param>
/// <param name="OpenedBySequence">The opt-out or opt-in record that opened the window.</param>
internal readonly record struct ConfirmationWindowState(DateTime ExpireTime, bool Used, ulong OpenedBySequence)
{
    /// <summary>True when a CONFIRMATION may be allowed at <paramref name="now"/>.</summary>
    public bool IsOpenAt(DateTime now) => !Used && now < ExpireTime;
}
