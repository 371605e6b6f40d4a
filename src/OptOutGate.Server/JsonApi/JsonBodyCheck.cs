using System.Text.Json;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;

namespace OptOutGate.Server.JsonApi;

/// <summary>
/// Refuses a JSON route's request whose body has a member that names no field (<see cref="JsonBodyFields"/>), with the
/// INVALID_ARGUMENT error transcoding gives a malformed body. It runs after routing and before the call: the body is
/// buffered (at most the gRPC receive limit, as a gRPC message would be), read once here and again by transcoding.
/// Bodies that are not JSON, or do not parse, are left to transcoding, which answers them with its own errors.
/// </summary>
internal sealed class JsonBodyCheck(RequestDelegate next, IOptions<GrpcServiceOptions> grpc)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not { } route
            || BodyMessage(route) is not { } message
            || !IsJson(context.Request.ContentType))
        {
            await next(context);
            return;
        }

        var limit = grpc.Value.MaxReceiveMessageSize ?? 4 * 1024 * 1024;
        if (context.Request.ContentLength > limit)
        {
            await JsonErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, global::Grpc.Core.StatusCode.ResourceExhausted, $"The request body has {context.Request.ContentLength} bytes; at most {limit} are accepted.");
            return;
        }

        context.Request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: limit);
        string? problem = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            problem = JsonBodyFields.Problem(message, body.RootElement);
        }
        catch (JsonException)
        {
            // Transcoding reads it again and answers "Request JSON payload is not correctly formatted."
        }
        catch (IOException) when (context.Request.Body.CanSeek && context.Request.Body.Position >= limit)
        {
            problem = $"The request body is over {limit} bytes.";
        }

        if (problem is not null)
        {
            await JsonErrors.WriteAsync(context, StatusCodes.Status400BadRequest, global::Grpc.Core.StatusCode.InvalidArgument, $"{context.Request.Method} {context.Request.Path}: {problem}");
            return;
        }

        context.Request.Body.Position = 0;
        await next(context);
    }

    /// <summary>The message the route's body holds: the whole request ("*") or one message field of it.</summary>
    private static MessageDescriptor? BodyMessage(GrpcJsonTranscodingMetadata route)
    {
        var body = route.HttpRule.Body;
        var request = route.MethodDescriptor.InputType;
        if (body == "*")
        {
            return request;
        }

        return body.Length > 0 && request.FindFieldByName(body) is { FieldType: FieldType.Message, IsRepeated: false } field ? field.MessageType : null;
    }

    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
}
