using Microsoft.Extensions.Options;
using OptOutGate.Rpc.Server.Hosting;

namespace OptOutGate.Server.Replication;

internal static class ReplicationServiceCollectionExtensions
{
    /// <summary>
    /// Registers replication from the "Replication" section (<see cref="ReplicationOptions"/>, checked here so a bad
    /// setting stops the start-up): a replica gets its write refusal (registered before the readiness check, so a
    /// write to a replica is FAILED_PRECONDITION even while it catches up), its lag tracking and its follower; a primary
    /// with Redis gets the publisher. Call before the readiness interceptor is registered.
    /// </summary>
    public static IServiceCollection AddGateReplication(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new ReplicationOptions();
        configuration.GetSection(ReplicationOptions.SectionName).Bind(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(ReplicationOptions.SectionName, typeof(ReplicationOptions), problems);
        }

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
