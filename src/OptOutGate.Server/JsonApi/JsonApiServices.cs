using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;
using OptOutGate.Server.Admin;
using OptOutGate.Server.Gate;
using OptOutGate.Server.Mo;

namespace OptOutGate.Server.JsonApi;

/// <summary>
/// The JSON/REST face of the v1 contract (README, "JSON/REST API"): gRPC JSON transcoding of the routes the protos
/// declare with google.api.http, on the same services, API keys and interceptors as the gRPC face; the CSV exports as
/// file downloads; a JSON 404 for any other path under /v1; and the OpenAPI document (<see cref="OpenApiDocument"/>).
/// </summary>
internal static class JsonApiServices
{
    /// <summary>The prefix of every JSON route.</summary>
    public const string RoutePrefix = "/v1";

    /// <summary>gRPC's own default receive limit (4 MiB), for a body when Rpc:MaxReceiveMessageSize is unlimited.</summary>
    private const int DefaultBodyLimit = 4 * 1024 * 1024;

    public static IServiceCollection AddGateJsonApi(this IServiceCollection services, IGrpcServerBuilder grpc)
    {
        ArgumentNullException.ThrowIfNull(grpc);
        grpc.AddJsonTranscoding();

        // Transcoding looks for JSON routes in every mapped service, the gRPC face's definitions too, and warns once
        // for each that it finds no generated BindService there: true, and by design (TranscodedEndpoints).
        services.AddLogging(static logging => logging.AddFilter(
            "Microsoft.AspNetCore.Grpc.JsonTranscoding.Internal.Binding.JsonTranscodingServiceMethodProvider", LogLevel.Error));
        services.AddSingleton<JsonApiInterceptor>();

        // Only the typed services carry the JSON routes (TranscodedEndpoints), so only JSON calls pass this interceptor;
        // the gRPC face, CheckBatch's raw path included, never does.
        grpc.AddServiceOptions<GateService>(static options => options.Interceptors.Add<JsonApiInterceptor>());
        grpc.AddServiceOptions<MoService>(static options => options.Interceptors.Add<JsonApiInterceptor>());
        grpc.AddServiceOptions<AdminService>(static options => options.Interceptors.Add<JsonApiInterceptor>());
        services.AddGateOpenApi();
        return services;
    }

    public static void MapGateJsonApi(this IEndpointRouteBuilder endpoints)
    {
        var grpc = endpoints.ServiceProvider.GetRequiredService<IOptions<GrpcServiceOptions>>().Value;
        TranscodedEndpoints.Map(endpoints, grpc.MaxReceiveMessageSize ?? DefaultBodyLimit, static typed =>
        {
            typed.MapGrpcService<GateService>();
            typed.MapGrpcService<MoService>();
            typed.MapGrpcService<AdminService>();
        });

        // Routing alone would answer an unknown path with an empty 404; a JSON client gets the same error body as
        // from every other route, with where to look for the right one.
        endpoints.MapFallback(RoutePrefix + "/{**path}", static context => JsonErrors.WriteAsync(
            context,
            StatusCodes.Status404NotFound,
            global::Grpc.Core.StatusCode.NotFound,
            $"No route {context.Request.Method} {context.Request.Path}: the routes are listed in {OpenApiDocument.Path} and in the README (\"JSON/REST API\")."));
        endpoints.MapGateOpenApi();
    }
}
