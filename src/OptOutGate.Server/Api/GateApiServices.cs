using Google.Protobuf.Reflection;
using OptOutGate.Contracts.V1;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Services;
using OptOutGate.Server.Admin;
using OptOutGate.Server.Changes;
using OptOutGate.Server.Gate;
using OptOutGate.Server.Mo;
using OptOutGate.Server.Workflow;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace OptOutGate.Server.Api;

/// <summary>
/// Registers the four v1 services. A method that no issue has implemented yet answers UNIMPLEMENTED with a message
/// naming the issue that brings it: nothing pretends to work.
/// </summary>
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
        services.AddSingleton<WorkflowService>();
        services.AddRpcService(static sp => AdminService.CreateDefinition(sp.GetRequiredService<AdminService>(), sp.GetRequiredService<WorkflowService>().Bind));
        return services;
    }

    private static ServiceDefinition Unimplemented(ServiceDescriptor service, string issue) =>
        ServiceDefinition.CreateBuilder(service)
            .WithUnimplementedMessage("{0} is not implemented yet in this build of OptOutGate; it arrives with issue " + issue + ".")
            .Build();
}
