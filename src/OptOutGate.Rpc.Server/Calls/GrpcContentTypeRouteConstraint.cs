using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>
/// Lets the UNIMPLEMENTED catch-all match only gRPC requests, so any other POST falls through to the application's
/// routes or a plain 404 (grpc-dotnet's GrpcUnimplementedConstraint).
/// </summary>
internal sealed class GrpcContentTypeRouteConstraint : IRouteConstraint
{
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        httpContext is not null && GrpcHttpMapping.IsGrpcContentType(httpContext.Request.ContentType);
}
