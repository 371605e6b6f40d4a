using OptOutGate.Engine.Configuration;

namespace OptOutGate.Engine.Mo;

/// <summary>MO handling settings, bound from the "Mo" configuration section and checked at start-up.</summary>
internal sealed class MoOptions : IValidatedOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string SectionName = "Mo";

    /// <summary>How long a carrier retry is recognized as a DUPLICATE. Default 24 hours (DESIGN.md).</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the MO ledger is snapshotted; a restart replays only the log after the snapshot. Default 1 minute.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many messages of one StreamMo call may be in flight (waiting for their durable write) at once. Default 512.</summary>
    public int StreamConcurrency { get; set; } = 512;

    public void AddProblems(Func<string, string> keyOf, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentNullException.ThrowIfNull(problems);
        if (DuplicateWindow <= TimeSpan.Zero)
        {
            problems.Add($"{keyOf(nameof(DuplicateWindow))} must be positive (was {DuplicateWindow}).");
        }

        if (SnapshotInterval <= TimeSpan.Zero)
        {
            problems.Add($"{keyOf(nameof(SnapshotInterval))} must be positive (was {SnapshotInterval}).");
        }

        if (StreamConcurrency is < 1 or > 65_536)
        {
            problems.Add($"{keyOf(nameof(StreamConcurrency))} must be 1..65536 (was {StreamConcurrency}).");
        }
    }
}
