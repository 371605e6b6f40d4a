using Grpc.Core;
using Grpc.Core.Interceptors;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// An interceptor that decides whether a call may reach its handler at all (replica writes, readiness, API keys):
/// <see cref="Admit"/> runs before the handler of every kind of call and refuses by throwing an
/// <see cref="RpcException"/>, which grpc-dotnet sends as a Trailers-Only response. A unary request has been read by
/// then (grpc-dotnet reads it before the interceptors run); a streaming one has not.
/// </summary>
internal abstract class AdmissionInterceptor : Interceptor
{
    /// <summary>Returns when the call may go on; throws <see cref="RpcException"/> with the refusal's status otherwise.</summary>
    protected abstract void Admit(ServerCallContext context);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(requestStream, responseStream, context);
    }
}
