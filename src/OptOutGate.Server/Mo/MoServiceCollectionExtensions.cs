using OptOutGate.Engine.Mo;
using OptOutGate.Server.Readiness;

namespace OptOutGate.Server.Mo;

internal static class MoServiceCollectionExtensions
{
    /// <summary>
    /// The Mo service, its metrics (meter "OptOutGate.Mo") and the MO ledger's host. Call after the engine is registered:
    /// the ledger's host must stop before the engine host closes the engine.
    /// </summary>
    public static IServiceCollection AddGateMo(this IServiceCollection services)
    {
        services.AddSingleton(static sp => new MoMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<MoHost>();
        services.AddHostedService(static sp => sp.GetRequiredService<MoHost>());
        services.AddSingleton<MoService>();
        return services;
    }
}
