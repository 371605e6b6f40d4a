using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Server.Admin;
using OptOutGate.Server.Changes;
using OptOutGate.Server.Gate;
using OptOutGate.Server.Mo;

namespace OptOutGate.Server.Hosting;

/// <summary>Registers the four v1 services (Gate, Mo, Changes, Admin), every method of each bound.</summary>
internal static class GateApiServices
{
    public static IServiceCollection AddGateApi(this IServiceCollection services)
    {
        services.AddSingleton<GateMetrics>();
        services.AddSingleton<GateService>();
        services.AddRpcService(static sp => GateService.CreateDefinition(sp.GetRequiredService<GateService>()));
        services.AddGateMo();
        services.AddSingleton<ChangesService>();
        services.AddRpcService(static sp => ChangesService.CreateDefinition(sp.GetRequiredService<ChangesService>()));
        services.AddSingleton<AdminService>();
        services.AddRpcService(static sp => AdminService.CreateDefinition(sp.GetRequiredService<AdminService>()));
        return services;
    }
}
