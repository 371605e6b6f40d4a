namespace OptOutGate.Server.Replication;

/// <summary>What this node is in its tenant group.</summary>
public enum ReplicationRole
{
    /// <summary>The single writer (also a standalone gate).</summary>
    Primary,

    /// <summary>A read-only copy that follows a primary.</summary>
    Replica,
}
