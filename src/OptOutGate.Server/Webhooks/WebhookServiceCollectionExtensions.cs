using OptOutGate.Server.Replication;

namespace OptOutGate.Server.Webhooks;

internal static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Registers webhooks: the Admin handlers everywhere (a replica answers Get and List from its copy of the
    /// configuration), and on a primary only the sender, the metrics and the dispatcher that runs the deliveries.
    /// </summary>
    public static IServiceCollection AddGateWebhooks(this IServiceCollection services, WebhookOptions options, ReplicationOptions replication)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(replication);
        services.AddSingleton(options);
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookSubscriptions>();
        if (!replication.IsReplica)
        {
            services.AddSingleton<WebhookMetrics>();
            services.AddSingleton<WebhookDispatcher>();
            services.AddHostedService(static provider => provider.GetRequiredService<WebhookDispatcher>());
        }

        return services;
    }
}
