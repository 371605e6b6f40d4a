using Grpc.Core;
using Grpc.Core.Interceptors;

namespace OptOutGate.Server.WebConsole.Calls;

/// <summary>
/// Runs the generated Admin client's calls in process, through the server's own chain (a replica's write refusal,
/// readiness, the key's roles, status mapping) into the Admin handlers, as the signed-in key: the console is one
/// more client of the contract, with the statuses and messages a gRPC client would get (an error is the same
/// <see cref="RpcException"/>). No socket, no serialization.
/// </summary>
internal sealed class ConsoleCallInvoker(ConsoleHandlers handlers, IReadOnlyList<Interceptor> chain, HttpContext http) : CallInvoker
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var context = Context(method, options);
        UnaryServerMethod<TRequest, TResponse> call = handlers.Unary(method);
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            var next = call;
            var interceptor = chain[i];
            call = (r, c) => interceptor.UnaryServerHandler(r, c, next);
        }

        var response = Run(call, request, context);
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => context.Status, () => context.ResponseTrailers, static () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("Console pages call asynchronously.");

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var responses = new StreamBridge<TResponse>();
        var context = Context(method, options);
        var done = ServerStreaming(method, request, responses, context);
        _ = done.ContinueWith(static (t, state) => ((StreamBridge<TResponse>)state!).Complete(t.Exception?.InnerException), responses, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new AsyncServerStreamingCall<TResponse>(responses, Task.FromResult(new Metadata()), () => context.Status, () => context.ResponseTrailers, static () => { });
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("The console imports through ImportOptOutsWithDiff.");

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var requests = new StreamBridge<TRequest>();
        var responses = new StreamBridge<TResponse>();
        var context = Context(method, options);
        DuplexStreamingServerMethod<TRequest, TResponse> call = handlers.Duplex(method);
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            var next = call;
            var interceptor = chain[i];
            call = (q, s, c) => interceptor.DuplexStreamingServerHandler(q, s, c, next);
        }

        var done = RunStreaming(() => call(requests, responses, context));
        _ = done.ContinueWith(
            static (t, state) =>
            {
                var (requests, responses) = ((StreamBridge<TRequest>, StreamBridge<TResponse>))state!;
                responses.Complete(t.Exception?.InnerException);

                // A handler that ended (refused, failed) reads no more: a client still writing must not wait forever.
                requests.Complete(new RpcException(new Status(StatusCode.Cancelled, "The call has ended.")));
            },
            (requests, responses),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(requests, responses, Task.FromResult(new Metadata()), () => context.Status, () => context.ResponseTrailers, static () => { });
    }

    private Task ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, IServerStreamWriter<TResponse> responses, ConsoleCallContext context)
        where TRequest : class
        where TResponse : class
    {
        ServerStreamingServerMethod<TRequest, TResponse> call = handlers.ServerStreaming(method);
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            var next = call;
            var interceptor = chain[i];
            call = (r, s, c) => interceptor.ServerStreamingServerHandler(r, s, c, next);
        }

        return RunStreaming(() => call(request, responses, context));
    }

    private ConsoleCallContext Context<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options) =>
        new(method.FullName, http, options.CancellationToken.CanBeCanceled ? options.CancellationToken : http.RequestAborted);

    /// <summary>A handler that throws before its first await fails the returned task, as it would fail a served call.</summary>
    private static async Task<TResponse> Run<TRequest, TResponse>(UnaryServerMethod<TRequest, TResponse> call, TRequest request, ServerCallContext context)
        where TRequest : class
        where TResponse : class =>
        await call(request, context);

    private static async Task RunStreaming(Func<Task> call) => await call();
}
