namespace OptOutGate.Engine.Storage;

/// <summary>
/// Stored data failed its checks: a change log record fails its checksum, the commit metadata is missing or behind the
/// records, a checkpoint is ahead of the log, an index file is short or not what was written. A crash cannot cause
/// any of these (every write the gate acknowledged was fsynced before its commit point moved); a disk, a restore or an
/// operator can. The message names the file, the place and what to do. The gate never serves over such damage: a
/// start refuses to serve (health NOT_SERVING, calls UNAVAILABLE), a read answers DATA_LOSS.
/// </summary>
internal sealed class DataDamagedException : IOException
{
    /// <summary>What the operator can do, the same wherever the damage was found.</summary>
    public const string Remedy =
        "Re-seed this node from a healthy replica or primary (README, \"Damaged data\"): move its data folder aside and start it as a replica with an empty one";

    public DataDamagedException()
        : this("Stored data is damaged.", "", 0)
    {
    }

    public DataDamagedException(string message)
        : this(message, "", 0)
    {
    }

    public DataDamagedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = "";
    }

    /// <param name="message">What is damaged, where, and what to do.</param>
    /// <param name="path">The damaged file or folder.</param>
    /// <param name="sequence">The first change log sequence the damage makes unreadable; 0 when it is not one record.</param>
    public DataDamagedException(string message, string path, ulong sequence, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
        Sequence = sequence;
    }

    /// <summary>The damaged file or folder.</summary>
    public string Path { get; }

    /// <summary>The first change log sequence the damage makes unreadable; 0 when the damage is not one record.</summary>
    public ulong Sequence { get; }
}
