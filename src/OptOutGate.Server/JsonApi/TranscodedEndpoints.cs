using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace OptOutGate.Server.JsonApi;

/// <summary>
/// The JSON routes, and only them, of services mapped by type. The gRPC face is mapped from service definitions
/// (Hosting/GateApiServices: parse errors as INTERNAL, CheckBatch's own marshallers), which JSON transcoding cannot
/// see: it finds a service's routes through the generated <c>BindService</c> of a service type. So the services are
/// mapped by type a second time into a builder of their own, and only the endpoints that carry transcoding metadata
/// are handed to routing; the typed mapping's own gRPC endpoints would duplicate the definitions' ones. Each JSON
/// endpoint is handed over behind its body check (<see cref="JsonBodyCheck"/>), so that check costs other requests nothing.
/// </summary>
internal sealed class TranscodedEndpoints : EndpointDataSource
{
    private readonly ICollection<EndpointDataSource> _sources;
    private readonly int _bodyLimit;
    private IReadOnlyList<Endpoint>? _endpoints;

    private TranscodedEndpoints(ICollection<EndpointDataSource> sources, int bodyLimit)
    {
        _sources = sources;
        _bodyLimit = bodyLimit;
    }

    public override IReadOnlyList<Endpoint> Endpoints => _endpoints ??= Select(_sources, _bodyLimit);

    /// <summary>Maps <paramref name="map"/>'s services by type and adds their JSON routes to <paramref name="endpoints"/>.</summary>
    /// <param name="bodyLimit">The largest JSON body read, in bytes: the gRPC receive limit, as for a gRPC message.</param>
    public static void Map(IEndpointRouteBuilder endpoints, int bodyLimit, Action<IEndpointRouteBuilder> map)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(map);
        var typed = new SeparateRouteBuilder(endpoints);
        map(typed);
        endpoints.DataSources.Add(new TranscodedEndpoints(typed.DataSources, bodyLimit));
    }

    // Every endpoint is built once, at start-up: nothing is added later.
    public override IChangeToken GetChangeToken() => NullChangeToken.Singleton;

    private static List<Endpoint> Select(ICollection<EndpointDataSource> sources, int bodyLimit)
    {
        var selected = new List<Endpoint>();
        foreach (var source in sources)
        {
            foreach (var endpoint in source.Endpoints)
            {
                if (endpoint is RouteEndpoint { RequestDelegate: { } handler } route && endpoint.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is { } json)
                {
                    selected.Add(new RouteEndpoint(JsonBodyCheck.Wrap(handler, json, bodyLimit), route.RoutePattern, route.Order, route.Metadata, route.DisplayName));
                }
            }
        }

        return selected;
    }

    /// <summary>A route builder whose data sources go nowhere until <see cref="TranscodedEndpoints"/> selects from them.</summary>
    private sealed class SeparateRouteBuilder(IEndpointRouteBuilder inner) : IEndpointRouteBuilder
    {
        public IServiceProvider ServiceProvider => inner.ServiceProvider;

        public ICollection<EndpointDataSource> DataSources { get; } = new List<EndpointDataSource>();

        public IApplicationBuilder CreateApplicationBuilder() => inner.CreateApplicationBuilder();
    }
}
