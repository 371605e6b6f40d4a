namespace OptOutGate.Server.Replication;

/// <summary>
/// Replication, from the "Replication" configuration section. The default is a standalone primary without
/// Redis: nothing is published and nothing is followed.
/// <code>
/// "Replication": { "Role": "Replica", "PrimaryAddress": "http://10.0.0.5:50051", "ApiKey": "&lt;replica key&gt;",
///                  "Bootstrap": "Snapshot", "Redis": "10.0.0.9:6379", "MaxLagSequences": 10000, "MaxLagMilliseconds": 5000 }
/// </code>
/// </summary>
public sealed class ReplicationOptions
{
    public const string SectionName = "Replication";

    /// <summary><see cref="ReplicationRole.Primary"/> (default: the single writer) or <see cref="ReplicationRole.Replica"/>.</summary>
    public ReplicationRole Role { get; set; } = ReplicationRole.Primary;

    /// <summary>Replica: the primary's gRPC address (http:// for h2c, https:// for TLS). Required for a replica.</summary>
    public string? PrimaryAddress { get; set; }

    /// <summary>
    /// Replica: the API key (role <c>replica</c>) it presents to the primary's Changes service; its tenant group must be
    /// every tenant of the primary (no <c>Tenants</c> list, or one naming every tenant), since a replica is a whole
    /// copy. A key that reads only some tenants is found out by the sequence numbers it skips: the replica then logs
    /// an error, stays NOT_SERVING and stops following. Empty when the primary runs with keys off.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Replica: how an empty data folder gets the primary's state. <see cref="ReplicaBootstrap.Snapshot"/> (default):
    /// the primary's GetSnapshot at a sequence N (entries, configuration, open confirmation windows), kept in
    /// <c>snapshot/base.bin</c> with the details of every entry, then the change stream from N + 1; history listings and
    /// exports on the replica cover the records after N (older ones answer as "not held here": OUT_OF_RANGE for
    /// CheckAtTime before N). <see cref="ReplicaBootstrap.Log"/>: the primary's whole log from sequence 1, so the
    /// replica holds the full history; its start takes as long as copying and applying every change ever made. Either
    /// way the replica is NOT_SERVING until it has caught up, and a restart resumes from its own checkpoint and log.
    /// </summary>
    public ReplicaBootstrap Bootstrap { get; set; } = ReplicaBootstrap.Snapshot;

    /// <summary>
    /// StackExchange.Redis connection string ("host:port[,password=...]"). Primary: publish every committed change;
    /// replica: subscribe. Empty (default): no Redis; replicas tail the primary's change stream.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// Name of the tenant group this primary writes; the pub/sub channel is <c>optoutgate:changes:{TenantGroup}</c>.
    /// Primary and replicas must agree. Default "default".
    /// </summary>
    public string TenantGroup { get; set; } = "default";

    /// <summary>Replica: NOT_SERVING while more than this many sequences behind the primary's last report. Default 10,000.</summary>
    public long MaxLagSequences { get; set; } = 10_000;

    /// <summary>
    /// Replica: NOT_SERVING while its oldest unapplied change is older than this, or while it has heard nothing from the
    /// primary for this long (it cannot tell how far behind it is). Default 5,000 ms.
    /// </summary>
    public int MaxLagMilliseconds { get; set; } = 5_000;

    /// <summary>Heartbeats: of the change stream a replica asks for, and of the primary on Redis. Default 250 ms.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Primary: messages waiting for Redis at most; more are dropped (replicas fill the gap). Default 4,096.</summary>
    public int PublishBufferMessages { get; set; } = 4_096;

    public string Channel => "optoutgate:changes:" + TenantGroup;

    public bool IsReplica => Role == ReplicationRole.Replica;

    /// <summary>Every problem, for start-up validation; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (IsReplica && !Uri.TryCreate(PrimaryAddress, UriKind.Absolute, out _))
        {
            problems.Add("Replication:PrimaryAddress must be an absolute http:// or https:// address for Role=Replica.");
        }

        if (!Enum.IsDefined(Bootstrap))
        {
            problems.Add("Replication:Bootstrap must be Snapshot or Log.");
        }

        if (MaxLagSequences < 1)
        {
            problems.Add("Replication:MaxLagSequences must be at least 1.");
        }

        if (MaxLagMilliseconds < 1)
        {
            problems.Add("Replication:MaxLagMilliseconds must be at least 1.");
        }

        if (HeartbeatInterval < TimeSpan.FromMilliseconds(100) || HeartbeatInterval > TimeSpan.FromSeconds(60))
        {
            problems.Add("Replication:HeartbeatInterval must be between 100 ms and 60 s (changes.proto).");
        }

        if (PublishBufferMessages < 16)
        {
            problems.Add("Replication:PublishBufferMessages must be at least 16.");
        }

        if (string.IsNullOrWhiteSpace(TenantGroup))
        {
            problems.Add("Replication:TenantGroup must not be empty.");
        }

        return problems;
    }
}
