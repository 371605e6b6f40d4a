using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace OptOutGate.Rpc.Server.Services;

/// <summary>
/// A stand-in definition for a method a service declares but does not bind. It runs through the same call path as a
/// bound method, so interceptors (API keys, readiness) answer first, and only an authorized caller learns that the
/// method is not implemented.
/// </summary>
internal static class UnimplementedMethod
{
    private static readonly MethodInfo s_create = typeof(UnimplementedMethod).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static ServerMethodDefinition Create(MethodDescriptor descriptor, string detail)
    {
        // Descriptors built at run time have no generated class; Empty parses any well-formed message, and no response
        // is ever written, so it stands in for both sides.
        var typed = s_create.MakeGenericMethod(
            descriptor.InputType.ClrType ?? typeof(Empty),
            descriptor.OutputType.ClrType ?? typeof(Empty));
        return (ServerMethodDefinition)typed.Invoke(null, [descriptor, new Status(StatusCode.Unimplemented, detail)])!;
    }

    private static ServerMethodDefinition<TRequest, TResponse> CreateTyped<TRequest, TResponse>(MethodDescriptor descriptor, Status status)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
    {
        var type = ServerMethodDefinition.TypeOf(descriptor);
        Delegate handler = type switch
        {
            MethodType.Unary => new UnaryServerMethod<TRequest, TResponse>((_, _) => throw new RpcException(status)),
            MethodType.ClientStreaming => new ClientStreamingServerMethod<TRequest, TResponse>((_, _) => throw new RpcException(status)),
            MethodType.ServerStreaming => new ServerStreamingServerMethod<TRequest, TResponse>((_, _, _) => throw new RpcException(status)),
            _ => new DuplexStreamingServerMethod<TRequest, TResponse>((_, _, _) => throw new RpcException(status)),
        };
        return new ServerMethodDefinition<TRequest, TResponse>(descriptor, type, handler);
    }
}
