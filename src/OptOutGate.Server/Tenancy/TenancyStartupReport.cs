namespace OptOutGate.Server.Tenancy;

/// <summary>Says once, at start-up, whether API keys are on, so an operator never has to guess.</summary>
internal sealed partial class TenancyStartupReport(TenantRegistry registry, ILogger<TenancyStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (registry.AuthenticationEnabled)
        {
            LogKeysOn(logger, registry.Tenants.Count, registry.Keys.Count);
        }
        else
        {
            LogKeysOff(logger, TenantIds.DefaultTenant);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = EventIds.Tenancy + 30, EventName = "KeysOn", Level = LogLevel.Information, Message = "API keys on: {Tenants} tenants, {Keys} keys")]
    private static partial void LogKeysOn(ILogger logger, int tenants, int keys);

    [LoggerMessage(EventId = EventIds.Tenancy + 31, EventName = "KeysOff", Level = LogLevel.Warning,
        Message = "API keys off: no Tenancy configured and listening on loopback only, so every call runs as tenant '{Tenant}' with every role")]
    private static partial void LogKeysOff(ILogger logger, string tenant);
}
