namespace OptOutGate.Server.Replication;

/// <summary>How a replica with an empty data folder gets the primary's state (README, "Replicas").</summary>
public enum ReplicaBootstrap
{
    /// <summary>
    /// The primary's GetSnapshot: its state at a sequence N, kept in the replica's data folder, then the change stream
    /// from N + 1. Fast whatever the length of the history; history listings on the replica start after N.
    /// </summary>
    Snapshot,

    /// <summary>
    /// The primary's whole log from sequence 1, replayed: the replica then holds the full history too, at the cost of
    /// copying and applying every change ever made.
    /// </summary>
    Log,
}
