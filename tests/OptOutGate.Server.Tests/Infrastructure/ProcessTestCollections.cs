namespace OptOutGate.Server.Tests.Infrastructure;

// Tests that start child processes (gates, replicas, redis-server, python) are grouped by what they load, so that at
// most one test of a group runs at a time while the groups run beside each other and beside the in-process tests:
// most of such a test's time is spent waiting (a process starting, recovering, an fsync, a replica catching up), not
// computing, and xUnit's default (conservative) scheduling still runs no more tests at once than the machine has cores.

/// <summary>
/// Tests that need the machine to themselves, run one at a time after every other test: thousands of sockets against
/// an open-file limit in this process, a million writes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerTestCollection
{
    public const string Name = "Gate server processes, alone";
}

/// <summary>Replica nodes (a primary, its replicas, redis-server), one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ReplicaProcessesCollection
{
    public const string Name = "Replica processes";
}

/// <summary>Gates whose data folder is damaged, killed or restarted, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DamagedDataProcessesCollection
{
    public const string Name = "Damaged data and restarts";
}

/// <summary>One gate process per test where the process matters (exit codes, signals, Kestrel, metrics, python clients).</summary>
[CollectionDefinition(Name)]
public sealed class GateProcessesCollection
{
    public const string Name = "Gate processes";
}
