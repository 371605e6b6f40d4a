namespace OptOutGate.Engine.Writes;

/// <summary>
/// Use the confirmation window of (tenant, sender, recipient) for each recipient: the check path sends this for
/// CONFIRMATION sends it would allow, because "exactly one" must hold across concurrent checks and restarts. Per
/// recipient: CONFIRMATION_GRANTED (a CHANGE_ACTION_CONFIRMATION_SENT record was written: send it) or
/// CONFIRMATION_NOT_DUE (blocked).
/// </summary>
internal sealed class ConfirmationUseRequest : WriteRequest
{
    public required string Sender { get; init; }

    /// <summary>Recipients as parsed E.164 numbers (the check path has already parsed them).</summary>
    public required IReadOnlyList<ulong> Recipients { get; init; }

    internal override int ItemCount => Recipients.Count;
}
