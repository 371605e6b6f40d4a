using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace OptOutGate.Server.Diagnostics.CallTimeline;

/// <summary>
/// The innermost interceptor while the call timeline is on: marks when a unary handler began (its request read and
/// decoded) and when its answer was ready (before grpc-dotnet encodes and writes it).
/// </summary>
internal sealed class CallTimelineInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var mark = context.GetHttpContext().Features.Get<HandlerMark>();
        if (mark is null)
        {
            return continuation(request, context);
        }

        mark.Start = Stopwatch.GetTimestamp();
        var call = continuation(request, context);
        if (call.IsCompleted)
        {
            mark.End = Stopwatch.GetTimestamp();
            return call;
        }

        return EndWhenDone(call, mark);
    }

    private static async Task<TResponse> EndWhenDone<TResponse>(Task<TResponse> call, HandlerMark mark)
    {
        try
        {
            return await call;
        }
        finally
        {
            mark.End = Stopwatch.GetTimestamp();
        }
    }
}
