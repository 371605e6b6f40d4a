using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;

namespace OptOutGate.Server.Tests.Infrastructure;

/// <summary>
/// Calls any method of any service with an empty request, whatever its kind, and returns how it ended. Tests that
/// sweep every method of the contract (refusal, API keys) go by its descriptors, so a method added to the contract is
/// swept too; Grpc.Net.Client's <see cref="CallInvoker"/> takes a <see cref="Method{TRequest,TResponse}"/> built from them.
/// </summary>
public static class Calls
{
    private static readonly MethodInfo s_callEmpty = typeof(Calls).GetMethod(nameof(CallEmptyTypedAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// How long a sweep lets an empty call run: 10 s, except StreamChanges, which an empty request makes follow the log
    /// until its deadline (every sweep would otherwise wait out 10 s for it); 3 s still leaves a refusal, which comes
    /// at once, ample time to arrive on a loaded machine.
    /// </summary>
    public static TimeSpan EmptyCallTimeout(MethodDescriptor method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return method.Name == "StreamChanges" ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(10);
    }

    /// <summary>The call's status: OK, or the status of the <see cref="RpcException"/> it ended with.</summary>
    public static Task<Status> CallEmptyAsync(GrpcChannel channel, MethodDescriptor method, TimeSpan timeout, Metadata? headers = null)
    {
        var typed = s_callEmpty.MakeGenericMethod(method.InputType.ClrType, method.OutputType.ClrType);
        return (Task<Status>)typed.Invoke(null, [channel.CreateCallInvoker(), method, new CallOptions(headers, DateTime.UtcNow + timeout)])!;
    }

    /// <summary>The <see cref="Method{TRequest,TResponse}"/> of a contract method, with protobuf marshallers.</summary>
    public static Method<TRequest, TResponse> MethodOf<TRequest, TResponse>(MethodDescriptor descriptor)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var type = (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            _ => MethodType.DuplexStreaming,
        };
        return new Method<TRequest, TResponse>(type, descriptor.Service.FullName, descriptor.Name, Marshaller<TRequest>(), Marshaller<TResponse>());
    }

    public static Marshaller<T> Marshaller<T>()
        where T : class, IMessage<T>, new() =>
        Marshallers.Create(static message => message.ToByteArray(), static bytes => new MessageParser<T>(static () => new T()).ParseFrom(bytes));

    private static async Task<Status> CallEmptyTypedAsync<TRequest, TResponse>(CallInvoker invoker, MethodDescriptor descriptor, CallOptions options)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var method = MethodOf<TRequest, TResponse>(descriptor);
        try
        {
            switch (method.Type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(method, null, options, new TRequest());
                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(method, null, options, new TRequest()))
                    {
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }

                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(method, null, options))
                    {
                        await call.RequestStream.CompleteAsync();
                        await call.ResponseAsync;
                    }

                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(method, null, options))
                    {
                        await call.RequestStream.CompleteAsync();
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }

                    break;
            }

            return Status.DefaultSuccess;
        }
        catch (RpcException ex)
        {
            return ex.Status;
        }
    }
}
