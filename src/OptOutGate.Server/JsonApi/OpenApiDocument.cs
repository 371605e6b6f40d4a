using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace OptOutGate.Server.JsonApi;

/// <summary>
/// The OpenAPI 3 document of the JSON routes, served by the gate at <see cref="Path"/> without a key (it describes the
/// contract, as gRPC reflection does): Microsoft.AspNetCore.Grpc.Swagger describes each transcoded route from its
/// proto method and messages, with the proto comments (the contract assembly's XML documentation).
/// </summary>
internal static class OpenApiDocument
{
    public const string Path = "/openapi/v1.json";

    private const string DocumentName = "v1";
    private const string BearerScheme = "bearer";

    public static IServiceCollection AddGateOpenApi(this IServiceCollection services)
    {
        services.AddGrpcSwagger();
        services.AddSwaggerGen(static swagger =>
        {
            swagger.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "OptOutGate",
                Version = "v1",
                Description = "The JSON/REST face of the OptOutGate v1 contract (protos/optoutgate/v1): the same RPCs, API keys "
                    + "and errors as over gRPC. Errors answer with the HTTP status of their gRPC code and a body "
                    + "{\"code\": <gRPC code>, \"message\": \"...\", \"details\": []}.",
            });
            swagger.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key of the role the route needs (README, \"API keys\"): Authorization: Bearer <key>.",
            });
            swagger.AddSecurityRequirement(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = BearerScheme } }] = [],
            });

            // Beside the server's own assembly when built or published (a project reference copies its XML documentation).
            var comments = System.IO.Path.Combine(AppContext.BaseDirectory, "OptOutGate.Contracts.xml");
            if (File.Exists(comments))
            {
                swagger.IncludeXmlComments(comments);
                swagger.IncludeGrpcXmlComments(comments, includeControllerXmlComments: true);
            }

            swagger.OperationFilter<CsvExportOperations>();
        });
        return services;
    }

    public static void MapGateOpenApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapSwagger("/openapi/{documentName}.json");

    /// <summary>The exports answer a CSV file (JsonApiInterceptor), not the stream of CsvChunk messages their RPC returns.</summary>
    private sealed class CsvExportOperations : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (context.ApiDescription.RelativePath?.EndsWith(":export", StringComparison.Ordinal) != true)
            {
                return;
            }

            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "The CSV document (RFC 4180, UTF-8, CRLF, a header row first) as an attachment, streamed. "
                    + "A failure after the first bytes cuts the connection, so an incomplete file never looks complete. "
                    + "The X-OptOutGate-Sequence header is the sequence number the export reflects.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["text/csv"] = new() { Schema = new OpenApiSchema { Type = "string", Format = "binary" } },
                },
            };
        }
    }
}
