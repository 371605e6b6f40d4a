using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Grpc;

namespace OptOutGate.Server.JsonApi;

/// <summary>
/// What the JSON routes need beyond transcoding, for their calls only (it is bound to the typed services that carry
/// the JSON routes, never to the gRPC face): a query parameter that names no field is refused (transcoding would
/// ignore it, and an export with a misspelt filter would then download everything), and the CSV exports download
/// as files (<see cref="CsvDownloadWriter"/>). The innermost interceptor: keys, readiness and status mapping come first.
/// </summary>
internal sealed partial class JsonApiInterceptor(TimeProvider time, ILogger<JsonApiInterceptor> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        RefuseUnknownQuery(request, context);
        return continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        RefuseUnknownQuery(request, context);
        if (typeof(TResponse) != typeof(CsvChunk))
        {
            await continuation(request, responseStream, context);
            return;
        }

        var http = context.GetHttpContext();
        var method = CallMethod.Of(context);
        var download = new CsvDownloadWriter(http, FileName(method.Name));
        try
        {
            await continuation(request, (IServerStreamWriter<TResponse>)(object)download, context);
            download.EnsureHeaders(sequence: null);
        }
        catch (Exception e) when (download.Started)
        {
            // The status line and part of the file are out: no error can be told any more. Cutting the connection
            // leaves the chunked body without its last chunk, which HTTP clients report (curl exits with 18), so a
            // partial file is never taken for the whole export.
            // The type and status only: an exception's message may quote request data (numbers), and grpc-dotnet logs
            // the failed call itself.
            LogDownloadCut(logger, method, e.GetType().Name, e is RpcException rpc ? rpc.StatusCode.ToString() : "none");
            http.Abort();
            throw;
        }
    }

    /// <summary>"entries-20261205T134501Z.csv" for ExportEntries: what, and when it was taken.</summary>
    private string FileName(string method)
    {
        var what = method.StartsWith("Export", StringComparison.Ordinal) ? method["Export".Length..] : method;
        return string.Create(CultureInfo.InvariantCulture, $"{what.ToLowerInvariant()}-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}.csv");
    }

    private static void RefuseUnknownQuery<TRequest>(TRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (http.Request.Query.Count == 0 || request is not IMessage message
            || http.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not { } route)
        {
            return;
        }

        foreach (var (name, _) in http.Request.Query)
        {
            if (QueryFields.Problem(message.Descriptor, route.HttpRule, name) is { } problem)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"{http.Request.Method} {http.Request.Path}: {problem}"));
            }
        }
    }

    [LoggerMessage(EventId = EventIds.JsonApi + 1, EventName = "CsvDownloadCut", Level = LogLevel.Warning, Message = "CSV download of {Method} failed after it had begun, so its connection was cut: {ErrorType} (status {Status})")]
    private static partial void LogDownloadCut(ILogger logger, CallMethod method, string errorType, string status);
}
