using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// The service and method a call is for (<c>optoutgate.v1.Gate</c>, <c>CheckBatch</c>), as the interceptors need them:
/// taken from the endpoint grpc-dotnet routed the call to, so a call costs no parsing and no string.
/// </summary>
internal readonly record struct CallMethod(string Service, string Name)
{
    /// <summary>Health and reflection: probes, load balancers, grpcurl and ghz use them without a key, and they read no tenant data.</summary>
    public bool IsAlwaysOpen =>
        Service.StartsWith("grpc.health.", StringComparison.Ordinal) || Service.StartsWith("grpc.reflection.", StringComparison.Ordinal);

    public static CallMethod Of(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is { } metadata)
        {
            return new CallMethod(metadata.Method.ServiceName, metadata.Method.Name);
        }

        // Not routed by grpc-dotnet (never for a served call): the path is "/package.Service/Method".
        var path = context.Method;
        var slash = path.LastIndexOf('/');
        return new CallMethod(path[1..slash], path[(slash + 1)..]);
    }

    public override string ToString() => Service + "/" + Name;
}
