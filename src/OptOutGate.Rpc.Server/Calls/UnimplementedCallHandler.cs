using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OptOutGate.Rpc.Server.Hosting;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>
/// Answers calls to paths no registered service declares with UNIMPLEMENTED as Trailers-Only with HTTP 200 (never 404: reflection clients
/// switch from v1 to v1alpha on the gRPC code, and the interop tests assert code 12).
/// </summary>
internal sealed class UnimplementedCallHandler
{
    public const string ServiceRouteKey = "rpcUnimplementedService";
    public const string MethodRouteKey = "rpcUnimplementedMethod";

    private readonly RpcServiceRegistry _registry;
    private readonly RpcCallServices _services;

    /// <summary>For the catch-all route: the service name decides between "Service" and "Method is unimplemented".</summary>
    public UnimplementedCallHandler(RpcServiceRegistry registry, RpcCallServices services)
    {
        _registry = registry;
        _services = services;
    }

    public Task HandleAsync(HttpContext http)
    {
        if (!RpcRequestValidation.TryAccept(http, _services.Logger))
        {
            return Task.CompletedTask;
        }

        // Unknown paths get no metrics: their names come from the client and would make label values unbounded.
        RpcServerLog.UnimplementedCall(_services.Logger, http.Request.Path.Value ?? string.Empty);
        var service = http.GetRouteValue(ServiceRouteKey) as string;
        var known = service is not null && _registry.Find(service) is not null;
        RpcRequestValidation.WriteTrailersOnly(http.Response, known ? RpcStatuses.MethodUnimplemented : RpcStatuses.ServiceUnimplemented);
        return Task.CompletedTask;
    }
}
