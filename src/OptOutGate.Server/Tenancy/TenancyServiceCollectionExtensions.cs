namespace OptOutGate.Server.Tenancy;

internal static class TenancyServiceCollectionExtensions
{
    /// <summary>
    /// Registers the checked <see cref="TenantRegistry"/> (the "Tenancy" section, bound and validated with every other
    /// section by Hosting/GateSettings) and the API-key interceptor, which Hosting/GateApiServices puts in the call chain.
    /// </summary>
    public static IServiceCollection AddGateTenancy(this IServiceCollection services, TenantRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        services.AddSingleton(registry);
        services.AddSingleton<TenancyInterceptor>();
        services.AddHostedService<TenancyStartupReport>();
        return services;
    }
}
