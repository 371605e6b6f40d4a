using System.Text.Json;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;

namespace OptOutGate.Server.JsonApi;

/// <summary>
/// Refuses a JSON route's request whose body has a member that names no field (<see cref="JsonBodyFields"/>), with the
/// INVALID_ARGUMENT error transcoding gives a malformed body. It wraps the JSON endpoints' own request delegates
/// (<see cref="TranscodedEndpoints"/>), so no other request, a gRPC call least of all, passes through it. The body is
/// buffered (at most the gRPC receive limit, as a gRPC message would be), read once here and again by transcoding.
/// Bodies that are not JSON, or do not parse, are left to transcoding, which answers them with its own errors.
/// </summary>
internal sealed class JsonBodyCheck
{
    private readonly RequestDelegate _next;
    private readonly MessageDescriptor _message;
    private readonly int _limit;

    private JsonBodyCheck(RequestDelegate next, MessageDescriptor message, int limit)
    {
        _next = next;
        _message = message;
        _limit = limit;
    }

    /// <summary><paramref name="next"/> behind the check when <paramref name="route"/> reads a JSON body, else <paramref name="next"/> itself.</summary>
    public static RequestDelegate Wrap(RequestDelegate next, GrpcJsonTranscodingMetadata route, int limit)
    {
        ArgumentNullException.ThrowIfNull(route);
        return BodyMessage(route) is { } message ? new JsonBodyCheck(next, message, limit).InvokeAsync : next;
    }

    private async Task InvokeAsync(HttpContext context)
    {
        if (!IsJson(context.Request.ContentType))
        {
            await _next(context);
            return;
        }

        if (context.Request.ContentLength > _limit)
        {
            await TooLargeAsync(context);
            return;
        }

        context.Request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: _limit);
        string? problem = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            problem = JsonBodyFields.Problem(_message, body.RootElement);
        }
        catch (JsonException)
        {
            // Transcoding reads it again and answers "Request JSON payload is not correctly formatted."
        }
        catch (IOException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The buffer's limit: a body sent without its length (chunked) that grew past it.
            await TooLargeAsync(context);
            return;
        }

        if (problem is not null)
        {
            await JsonErrors.WriteAsync(context, StatusCodes.Status400BadRequest, global::Grpc.Core.StatusCode.InvalidArgument, $"{context.Request.Method} {context.Request.Path}: {problem}");
            return;
        }

        context.Request.Body.Position = 0;
        await _next(context);
    }

    private Task TooLargeAsync(HttpContext context) => JsonErrors.WriteAsync(
        context,
        StatusCodes.Status413PayloadTooLarge,
        global::Grpc.Core.StatusCode.ResourceExhausted,
        $"The request body is over {_limit} bytes, the largest message accepted (Rpc:MaxReceiveMessageSize).");

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
