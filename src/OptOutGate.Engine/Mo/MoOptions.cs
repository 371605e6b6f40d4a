namespace OptOutGate.Engine.Mo;

/// <summary>MO handling settings (configuration section "Mo").</summary>
internal sealed class MoOptions
{
    /// <summary>How long a carrier retry is recognized as a DUPLICATE (DESIGN.md: 24 hours).</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the MO ledger is snapshotted (a restart replays only the log after the snapshot).</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many messages of one StreamMo call may be in flight (waiting for their durable write) at once.</summary>
    public int StreamConcurrency { get; set; } = 512;

    /// <summary>Every setting out of its range, named by its configuration key (section "Mo"), for start-up validation.</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        if (DuplicateWindow <= TimeSpan.Zero)
        {
            problems.Add($"Mo:DuplicateWindow must be positive (was {DuplicateWindow}).");
        }

        if (SnapshotInterval <= TimeSpan.Zero)
        {
            problems.Add($"Mo:SnapshotInterval must be positive (was {SnapshotInterval}).");
        }

        if (StreamConcurrency is < 1 or > 65_536)
        {
            problems.Add($"Mo:StreamConcurrency must be 1..65536 (was {StreamConcurrency}).");
        }

        return problems;
    }
}
