using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Client;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>Calls any method with an empty request and the given <c>authorization</c> value (or none), and returns how it ended.</summary>
public static class KeyedCalls
{
    private static readonly MethodInfo s_call = typeof(KeyedCalls).GetMethod(nameof(CallTypedAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static Task<Status> CallAsync(GrpcChannel channel, MethodDescriptor method, string? authorization)
    {
        var headers = new Metadata();
        if (authorization is not null)
        {
            headers.Add("authorization", authorization);
        }

        var typed = s_call.MakeGenericMethod(method.InputType.ClrType, method.OutputType.ClrType);
        return (Task<Status>)typed.Invoke(null, [channel, method, new CallOptions(headers, DateTime.UtcNow.AddSeconds(10))])!;
    }

    public static Task<Status> CallWithKeyAsync(GrpcChannel channel, MethodDescriptor method, string key) => CallAsync(channel, method, "Bearer " + key);

    private static async Task<Status> CallTypedAsync<TRequest, TResponse>(GrpcChannel channel, MethodDescriptor descriptor, CallOptions options)
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
