namespace OptOutGate.Server.Replication;

/// <summary>
/// The primary hands this replica's key the changes of some tenants only (a replica key whose <c>Tenants</c> list
/// leaves some out): the change stream skips sequence numbers and the snapshot misses tenants, so the replica can
/// never be a whole copy. Retrying cannot help; the key must change.
/// </summary>
internal sealed class ReplicaKeyScopeException : Exception
{
    public ReplicaKeyScopeException()
    {
    }

    public ReplicaKeyScopeException(string message)
        : base(message)
    {
    }

    public ReplicaKeyScopeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
