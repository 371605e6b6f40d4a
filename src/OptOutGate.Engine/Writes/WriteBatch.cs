using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Writes;

/// <summary>The requests validated together and the entries they append in one call (one group commit).</summary>
internal sealed class WriteBatch
{
    public WriteBatch(long id)
    {
        Id = id;
    }

    public long Id { get; }

    public List<PendingWrite> Requests { get; } = [];

    public List<LogEntry> Entries { get; } = [];

    /// <summary>The sequence this batch's acknowledgement waits for: its last record's, or the previous batch's when it wrote none.</summary>
    public ulong WaitForSequence { get; set; }
}
