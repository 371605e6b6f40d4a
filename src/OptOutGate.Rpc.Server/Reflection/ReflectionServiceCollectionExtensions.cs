using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Server.Hosting;

namespace OptOutGate.Rpc.Server.Reflection;

public static class ReflectionServiceCollectionExtensions
{
    /// <summary>
    /// Serves grpc.reflection.v1 and v1alpha (grpcurl and ghz use either) over every service in the
    /// <see cref="RpcServiceRegistry"/>; the symbol table is built once when the host starts. Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddRpcReflection(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(ReflectionService)))
        {
            return services;
        }

        services.AddRpcServer();
        services.AddSingleton(static sp => new ReflectionService(
            () => new ReflectionIndex(DescriptorsOf(sp.GetRequiredService<RpcServiceRegistry>())),
            sp.GetRequiredService<ILogger<ReflectionService>>()));
        services.AddRpcService(static sp => sp.GetRequiredService<ReflectionService>().CreateV1Definition());
        services.AddRpcService(static sp => sp.GetRequiredService<ReflectionService>().CreateV1AlphaDefinition());
        services.AddHostedService<ReflectionIndexWarmup>();
        return services;
    }

    private static IEnumerable<ProtoServiceDescriptor> DescriptorsOf(RpcServiceRegistry registry)
    {
        foreach (var service in registry.Services)
        {
            yield return service.Descriptor;
        }
    }
}
