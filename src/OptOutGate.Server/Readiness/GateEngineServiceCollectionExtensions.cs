using OptOutGate.Engine;

namespace OptOutGate.Server.Readiness;

internal static class GateEngineServiceCollectionExtensions
{
    /// <summary>Configuration section for engine tuning (<see cref="GateEngineOptions"/>: checkpoint interval, index sizing, log).</summary>
    public const string SectionName = "Engine";

    /// <summary>
    /// Registers the engine host: it opens the engine at start-up in the background and is the only thing that marks the
    /// gate Serving. The data folder is always <c>Gate:DataDirectory</c>.
    /// </summary>
    public static IServiceCollection AddGateEngine(this IServiceCollection services, GateEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton<GateEngineHost>();
        services.AddHostedService(static sp => sp.GetRequiredService<GateEngineHost>());
        return services;
    }
}
