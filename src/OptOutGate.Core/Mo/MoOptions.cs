namespace OptOutGate.Core.Mo;

/// <summary>MO handling settings (configuration section "Mo").</summary>
internal sealed class MoOptions
{
    /// <summary>How long a carrier retry is recognized as a DUPLICATE (DESIGN.md: 24 hours).</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the MO ledger is snapshotted (a restart replays only the log after the snapshot).</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many messages of one StreamMo call may be in flight (waiting for their durable write) at once.</summary>
    public int StreamConcurrency { get; set; } = 512;
}
