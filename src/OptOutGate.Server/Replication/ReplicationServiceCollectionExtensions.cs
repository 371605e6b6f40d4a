using OptOutGate.Rpc.Server.Hosting;

namespace OptOutGate.Server.Replication;

internal static class ReplicationServiceCollectionExtensions
{
    /// <summary>
    /// Registers replication (<see cref="ReplicationOptions"/>, checked at start-up with every other section): a
    /// replica gets its write refusal (registered before the readiness check, so a write to a replica is
    /// FAILED_PRECONDITION even while it catches up), its lag tracking and its follower; a primary with Redis gets the
    /// publisher. Call before the readiness interceptor is registered.
    /// </summary>
    public static IServiceCollection AddGateReplication(this IServiceCollection services, ReplicationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton<ReplicationMetrics>();
        if (options.IsReplica)
        {
            services.AddSingleton<IRpcCallInterceptor>(new ReplicaWriteInterceptor(options.PrimaryAddress!));
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
