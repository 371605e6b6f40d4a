using Xunit.Abstractions;

[assembly: TestCollectionOrderer(OptOutGate.Server.Tests.Infrastructure.LongestFirstCollectionOrderer.TypeName, "OptOutGate.Server.Tests")]

namespace OptOutGate.Server.Tests.Infrastructure;

// Tests that start child processes (gates, replicas, redis-server, python) are grouped by what they load, so that at
// most one test of a group runs at a time while the groups run beside each other and beside the in-process tests:
// most of such a test's time is spent waiting (a process starting, recovering, an fsync, a replica catching up), not
// computing. The groups are cut so that none is much longer than the others (each 60-80 s of test time on the
// machines here): the suite's wall time is the longest group's plus the tests that run alone.

/// <summary>
/// Tests that need the test process to themselves, run one at a time after every other test: the live managed heap of
/// this process measured (any test beside it would allocate in the same heap).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerTestCollection
{
    public const string Name = "Gate server processes, alone";
}

/// <summary>
/// Thousands of idle connections against a gate process under an open-file limit (the test process's own limit is far
/// above the 5,000 sockets it holds, and the gate's descriptors are its own).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ConnectionFloodCollection
{
    public const string Name = "Connection floods";
}

/// <summary>A million writes and two restarts over them.</summary>
[CollectionDefinition(Name)]
public sealed class MillionEntriesCollection
{
    public const string Name = "A million entries";
}

/// <summary>Replica nodes following a primary (a primary, its replicas, redis-server), one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ReplicaProcessesCollection
{
    public const string Name = "Replica processes";
}

/// <summary>Replicas bootstrapping from a snapshot or a log, and primaries re-seeded from a replica, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ReplicaBootstrapCollection
{
    public const string Name = "Replica bootstrap and re-seeding";
}

/// <summary>Random MO delivery orders checked on a primary, its replica and after a restart.</summary>
[CollectionDefinition(Name)]
public sealed class MoPropertyProcessesCollection
{
    public const string Name = "MO ordering properties";
}

/// <summary>Gates whose change log is damaged, killed mid-write or restarted, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DamagedDataProcessesCollection
{
    public const string Name = "Damaged data and restarts";
}

/// <summary>Gates whose log metadata or checkpoints disagree with the log, or whose configuration changed, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DamagedMetadataProcessesCollection
{
    public const string Name = "Damaged metadata and changed configuration";
}

/// <summary>Gates whose index or history files are damaged, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DamagedIndexProcessesCollection
{
    public const string Name = "Damaged index and history";
}

/// <summary>One gate process per test where the process matters (exit codes, signals, Kestrel, metrics).</summary>
[CollectionDefinition(Name)]
public sealed class GateProcessesCollection
{
    public const string Name = "Gate processes";
}

/// <summary>One gate process per test for carrier adapters' MO traffic (python clients, streams, crashes, workflow).</summary>
[CollectionDefinition(Name)]
public sealed class MoProcessesCollection
{
    public const string Name = "MO gate processes";
}

/// <summary>
/// Starts the child-process groups first, the longest first, then the in-process test classes (each a collection of
/// its own). xUnit runs four collections at once (xunit.runner.json) and, left to its default order, started some of
/// the minute-long groups only after most in-process classes had run, so that they alone decided the suite's end.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    public const string TypeName = "OptOutGate.Server.Tests.Infrastructure.LongestFirstCollectionOrderer";

    // Test time of each group on the machines here, longest first (the suite's trx file has the figures).
    private static readonly string[] s_longestFirst =
    [
        ReplicaBootstrapCollection.Name,
        DamagedMetadataProcessesCollection.Name,
        GateProcessesCollection.Name,
        DamagedIndexProcessesCollection.Name,
        ReplicaProcessesCollection.Name,
        MillionEntriesCollection.Name,
        ConnectionFloodCollection.Name,
        DamagedDataProcessesCollection.Name,
        MoProcessesCollection.Name,
        MoPropertyProcessesCollection.Name,
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(static c => Rank(c.DisplayName)).ThenBy(static c => c.DisplayName, StringComparer.Ordinal);

    private static int Rank(string name)
    {
        var rank = Array.IndexOf(s_longestFirst, name);
        return rank < 0 ? s_longestFirst.Length : rank;
    }
}
