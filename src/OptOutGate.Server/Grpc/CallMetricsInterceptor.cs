using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// Counts every call that reaches the interceptors (<see cref="CallMetrics"/>): the outermost interceptor, so a call
/// refused by readiness, an API key or a replica's write rule is counted with its status. Calls grpc-dotnet ends before
/// the interceptors (an unknown method, a request that does not decode, an oversize message) are not counted here.
/// </summary>
internal sealed class CallMetricsInterceptor(CallMetrics metrics) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var method = CallMethod.Of(context);
        var started = Stopwatch.GetTimestamp();
        metrics.Started(method);
        metrics.MessageReceived(method);
        Task<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch (Exception e)
        {
            metrics.Finished(method, CallMetrics.CodeOf(e, context), started);
            throw;
        }

        if (!call.IsCompletedSuccessfully)
        {
            return FinishSingleResponseAsync(call, method, context, started);
        }

        // The hot path (CheckBatch) mostly completes at once: no state machine for it.
        metrics.MessageSent(method);
        metrics.Finished(method, StatusCode.OK, started);
        return call;
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var method = CallMethod.Of(context);
        var started = Stopwatch.GetTimestamp();
        metrics.Started(method);
        Task<TResponse> call;
        try
        {
            call = continuation(new CountingReader<TRequest>(requestStream, metrics, method), context);
        }
        catch (Exception e)
        {
            metrics.Finished(method, CallMetrics.CodeOf(e, context), started);
            throw;
        }

        return FinishSingleResponseAsync(call, method, context, started);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var method = CallMethod.Of(context);
        var started = Stopwatch.GetTimestamp();
        metrics.Started(method);
        metrics.MessageReceived(method);
        try
        {
            await continuation(request, new CountingWriter<TResponse>(responseStream, metrics, method), context);
            metrics.Finished(method, StatusCode.OK, started);
        }
        catch (Exception e)
        {
            metrics.Finished(method, CallMetrics.CodeOf(e, context), started);
            throw;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var method = CallMethod.Of(context);
        var started = Stopwatch.GetTimestamp();
        metrics.Started(method);
        try
        {
            await continuation(new CountingReader<TRequest>(requestStream, metrics, method), new CountingWriter<TResponse>(responseStream, metrics, method), context);
            metrics.Finished(method, StatusCode.OK, started);
        }
        catch (Exception e)
        {
            metrics.Finished(method, CallMetrics.CodeOf(e, context), started);
            throw;
        }
    }

    private async Task<TResponse> FinishSingleResponseAsync<TResponse>(Task<TResponse> call, CallMethod method, ServerCallContext context, long started)
    {
        try
        {
            var response = await call;
            metrics.MessageSent(method);
            metrics.Finished(method, StatusCode.OK, started);
            return response;
        }
        catch (Exception e)
        {
            metrics.Finished(method, CallMetrics.CodeOf(e, context), started);
            throw;
        }
    }

    private sealed class CountingReader<T>(IAsyncStreamReader<T> inner, CallMetrics metrics, CallMethod method) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken))
            {
                return false;
            }

            metrics.MessageReceived(method);
            return true;
        }
    }

    private sealed class CountingWriter<T>(IServerStreamWriter<T> inner, CallMetrics metrics, CallMethod method) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            await inner.WriteAsync(message, cancellationToken);
            metrics.MessageSent(method);
        }
    }
}
