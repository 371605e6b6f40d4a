using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Client;

namespace OptOutGate.Server.Tests.Infrastructure;

/// <summary>Calls any method of any service with an empty request, whatever its kind, and returns how it ended.</summary>
public static class Calls
{
    private static readonly MethodInfo s_callEmpty = typeof(Calls).GetMethod(nameof(CallEmptyTypedAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>The call's status: OK, or the status of the <see cref="RpcException"/> it ended with.</summary>
    public static Task<Status> CallEmptyAsync(GrpcChannel channel, MethodDescriptor method, TimeSpan timeout, Metadata? headers = null)
    {
        var typed = s_callEmpty.MakeGenericMethod(method.InputType.ClrType, method.OutputType.ClrType);
        return (Task<Status>)typed.Invoke(null, [channel, method, new CallOptions(headers, DateTime.UtcNow + timeout)])!;
    }

    private static async Task<Status> CallEmptyTypedAsync<TRequest, TResponse>(GrpcChannel channel, MethodDescriptor descriptor, CallOptions options)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var method = Method<TRequest, TResponse>.From(descriptor);
        try
        {
            switch (method.Type)
            {
                case MethodType.Unary:
                    await channel.UnaryAsync(method, new TRequest(), options);
                    break;
                case MethodType.ServerStreaming:
                    using (var call = channel.ServerStreamingCall(method, new TRequest(), options))
                    {
                        while (await call.ResponseStream.MoveNextAsync())
                        {
                        }
                    }

                    break;
                case MethodType.ClientStreaming:
                    using (var call = channel.ClientStreamingCall(method, options))
                    {
                        await call.RequestStream.CompleteAsync();
                        await call.ResponseAsync;
                    }

                    break;
                default:
                    using (var call = channel.DuplexStreamingCall(method, options))
                    {
                        await call.RequestStream.CompleteAsync();
                        while (await call.ResponseStream.MoveNextAsync())
                        {
                        }
                    }

                    break;
            }

            return Status.Ok;
        }
        catch (RpcException ex)
        {
            return ex.Status;
        }
    }
}
