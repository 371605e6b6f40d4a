using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OptOutGate.Rpc.Server.Calls;
using OptOutGate.Rpc.Server.Metrics;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Hosting;

public static class RpcEndpointRouteBuilderExtensions
{
    private const string LoggerCategory = "OptOutGate.Rpc.Server";
    private static readonly string[] s_post = [HttpMethods.Post];

    /// <summary>
    /// Maps a POST route for every method of every registered service (path from the descriptor): bound methods to
    /// their handlers, unbound ones to UNIMPLEMENTED with the service's message, and a catch-all that answers any other
    /// gRPC request with UNIMPLEMENTED. Requires <c>AddRpcServer</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapRpcServices(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var provider = endpoints.ServiceProvider;
        var registry = provider.GetService<RpcServiceRegistry>()
            ?? throw new InvalidOperationException("MapRpcServices needs services.AddRpcServer() first.");
        var callServices = new RpcCallServices(
            provider.GetRequiredService<IOptions<RpcServerOptions>>().Value,
            provider.GetRequiredService<RpcServerMetrics>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerCategory),
            [.. provider.GetServices<IRpcCallInterceptor>()],
            provider.GetRequiredService<TimeProvider>());

        foreach (var service in registry.Services)
        {
            foreach (var descriptor in service.Descriptor.Methods)
            {
                var method = FindBound(service, descriptor)
                    ?? UnimplementedMethod.Create(descriptor, service.UnimplementedMessage.Replace("{0}", descriptor.FullName, StringComparison.Ordinal));
                RequestDelegate handler = method.CreateHandler(callServices).HandleAsync;

                var path = Services.ServerMethodDefinition.PathOf(descriptor);
                endpoints.MapPost(path, handler).WithDisplayName("gRPC " + path);
            }
        }

        var catchAll = RoutePatternFactory.Parse(
            "{" + UnimplementedCallHandler.ServiceRouteKey + "}/{" + UnimplementedCallHandler.MethodRouteKey + "}",
            defaults: null,
            parameterPolicies: new RouteValueDictionary { [UnimplementedCallHandler.ServiceRouteKey] = new GrpcContentTypeRouteConstraint() });
        endpoints.Map(catchAll, new UnimplementedCallHandler(registry, callServices).HandleAsync)
            .WithMetadata(new HttpMethodMetadata(s_post))
            .WithDisplayName("gRPC unimplemented")
            .Add(static builder => ((RouteEndpointBuilder)builder).Order = int.MaxValue); // after every application route

        return endpoints;
    }

    private static Services.ServerMethodDefinition? FindBound(Services.ServiceDefinition service, Google.Protobuf.Reflection.MethodDescriptor descriptor)
    {
        foreach (var method in service.Methods)
        {
            if (method.Descriptor == descriptor)
            {
                return method;
            }
        }

        return null;
    }
}
