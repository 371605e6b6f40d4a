namespace OptOutGate.Engine.Decisions;

/// <summary>Where a point-in-time check took the blocking rule of (sender, app) from.</summary>
internal enum RuleSource
{
    /// <summary>No rule was in force at that time (per the history): the default rule applied.</summary>
    Default,

    /// <summary>The rule in force at that time, from its history record.</summary>
    History,

    /// <summary>
    /// The sender's history was too long to search within <see cref="PointInTimeCheck.RuleSearchBudget"/> records, or
    /// reaches back before what this node's log holds (a replica bootstrapped from a snapshot), so today's rule was used
    /// (or the default when there is none today); the explanation says so.
    /// </summary>
    Current,
}
