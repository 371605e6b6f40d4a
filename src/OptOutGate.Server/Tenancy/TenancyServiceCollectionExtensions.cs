using Microsoft.Extensions.Options;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Server.Configuration;

namespace OptOutGate.Server.Tenancy;

internal static class TenancyServiceCollectionExtensions
{
    /// <summary>
    /// Binds and checks the "Tenancy" section now, before Kestrel binds (a bad key or a public address without keys
    /// stops the start with every problem listed), then registers the <see cref="TenantRegistry"/> and the API-key
    /// interceptor. Register after interceptors that must answer first (readiness).
    /// </summary>
    public static IServiceCollection AddGateTenancy(this IServiceCollection services, IConfiguration configuration, GateServerOptions gate)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new TenancyOptions();
        configuration.GetSection(TenancyOptions.SectionName).Bind(options);
        var failures = TenancyOptionsValidator.Validate(options, gate, out var registry);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(TenancyOptions.SectionName, typeof(TenancyOptions), failures);
        }

        return services.AddGateTenancy(registry!);
    }

    /// <summary>Registers an already checked <see cref="TenantRegistry"/> (Configuration/GateSettings) and the API-key interceptor.</summary>
    public static IServiceCollection AddGateTenancy(this IServiceCollection services, TenantRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        services.AddSingleton(registry);
        services.AddSingleton<IRpcCallInterceptor, TenancyInterceptor>();
        services.AddHostedService<TenancyStartupReport>();
        return services;
    }
}
