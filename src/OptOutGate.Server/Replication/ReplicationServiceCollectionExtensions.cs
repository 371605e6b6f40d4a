namespace OptOutGate.Server.Replication;

internal static class ReplicationServiceCollectionExtensions
{
    /// <summary>
    /// Registers replication (<see cref="ReplicationOptions"/>, checked at start-up with every other section): a replica
    /// gets its write refusal (<see cref="ReplicaWriteInterceptor"/>, first in the call chain so that a write to a
    /// replica is FAILED_PRECONDITION even while it catches up), its lag tracking and its follower; a primary with Redis
    /// gets the publisher.
    /// </summary>
    public static IServiceCollection AddGateReplication(this IServiceCollection services, ReplicationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton<ReplicationMetrics>();
        if (options.IsReplica)
        {
            services.AddSingleton<ReplicaWriteInterceptor>();
            services.AddSingleton<ReplicaLag>();
            services.AddHostedService<ReplicaFollower>();
        }
        else if (options.Redis is { Length: > 0 })
        {
            services.AddHostedService<ChangePublisher>();
        }

        return services;
    }
}
