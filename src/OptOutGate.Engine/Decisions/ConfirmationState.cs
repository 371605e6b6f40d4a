namespace OptOutGate.Engine.Decisions;

/// <summary>The confirmation window of (tenant, sender, recipient) at the time of a check.</summary>
internal enum ConfirmationState : byte
{
    /// <summary>No opt-out or opt-in within the window, or the window has passed.</summary>
    None,

    /// <summary>Within the window and its one CONFIRMATION not yet sent.</summary>
    Open,

    /// <summary>Within the window, but its one CONFIRMATION was already allowed.</summary>
    Used,
}
