using Grpc.Core;
using Grpc.Core.Interceptors;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// Ends a call whose handler failed with an engine error with that error's status (<see cref="StatusMapping"/>), not
/// grpc-dotnet's UNKNOWN "Exception was thrown by handler.". The innermost interceptor, so every handler goes through it.
/// </summary>
internal sealed class StatusMappingInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Task<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch (Exception e) when (StatusMapping.TryMap(e, out var status))
        {
            throw new RpcException(status);
        }

        // The hot path (CheckBatch) mostly completes at once: no state machine for it.
        return call.IsCompletedSuccessfully ? call : MapAsync(call);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (StatusMapping.TryMap(e, out var status))
        {
            throw new RpcException(status);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (StatusMapping.TryMap(e, out var status))
        {
            throw new RpcException(status);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (StatusMapping.TryMap(e, out var status))
        {
            throw new RpcException(status);
        }
    }

    private static async Task<TResponse> MapAsync<TResponse>(Task<TResponse> call)
    {
        try
        {
            return await call;
        }
        catch (Exception e) when (StatusMapping.TryMap(e, out var status))
        {
            throw new RpcException(status);
        }
    }
}
