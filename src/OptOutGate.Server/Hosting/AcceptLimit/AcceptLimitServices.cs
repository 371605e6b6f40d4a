using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace OptOutGate.Server.Hosting.AcceptLimit;

internal static class AcceptLimitServices
{
    /// <summary>
    /// Kestrel's socket transport behind <see cref="AcceptLimitFactory"/>: Kestrel binds with the last listener factory
    /// registered that can bind the endpoint, which is this one.
    /// </summary>
    public static IServiceCollection AddAcceptLimit(this IServiceCollection services, int maxConnections, int rejectionMargin)
    {
        services.AddSingleton(provider => new ConnectionBudget(
            maxConnections,
            rejectionMargin,
            provider.GetRequiredService<ILogger<ConnectionBudget>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IMeterFactory>()));
        services.AddSingleton<IConnectionListenerFactory>(provider => new AcceptLimitFactory(
            new SocketTransportFactory(provider.GetRequiredService<IOptions<SocketTransportOptions>>(), provider.GetRequiredService<ILoggerFactory>()),
            provider.GetRequiredService<ConnectionBudget>()));
        return services;
    }
}
