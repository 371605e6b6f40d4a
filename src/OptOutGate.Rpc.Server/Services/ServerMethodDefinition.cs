using Google.Protobuf;
using Google.Protobuf.Reflection;
using OptOutGate.Rpc.Server.Calls;

namespace OptOutGate.Rpc.Server.Services;

/// <summary>One bound method: its descriptor, the path derived from it, and the typed handler.</summary>
public abstract class ServerMethodDefinition
{
    private protected ServerMethodDefinition(MethodDescriptor descriptor, MethodType type)
    {
        Descriptor = descriptor;
        Type = type;
        Path = PathOf(descriptor);
        ServiceName = descriptor.Service.FullName;
        MethodName = descriptor.Name;
    }

    public MethodDescriptor Descriptor { get; }

    public MethodType Type { get; }

    /// <summary><c>/package.Service/Method</c>, derived from the descriptor, never typed by hand.</summary>
    public string Path { get; }

    public string ServiceName { get; }

    public string MethodName { get; }

    public static string PathOf(MethodDescriptor method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return "/" + method.Service.FullName + "/" + method.Name;
    }

    /// <summary>The endpoint logic for this method, typed to its messages (so the per-call path has no casts or reflection).</summary>
    internal abstract RpcCallHandler CreateHandler(RpcCallServices services);

    public static MethodType TypeOf(MethodDescriptor method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
    }
}

/// <summary>A bound method with its request parser and handler (one of the four handler delegate kinds).</summary>
public sealed class ServerMethodDefinition<TRequest, TResponse> : ServerMethodDefinition
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    internal ServerMethodDefinition(MethodDescriptor descriptor, MethodType type, Delegate handler)
        : base(descriptor, type)
    {
        Handler = handler;
    }

    public static MessageParser<TRequest> RequestParser { get; } = new(() => new TRequest());

    /// <summary>A <see cref="UnaryServerMethod{TRequest,TResponse}"/> or one of the streaming kinds, matching <see cref="ServerMethodDefinition.Type"/>.</summary>
    public Delegate Handler { get; }

    internal override RpcCallHandler CreateHandler(RpcCallServices services) => Type switch
    {
        MethodType.Unary when Handler is RawUnaryServerMethod raw => new RawUnaryCallHandler(this, services, raw),
        MethodType.Unary => new UnaryCallHandler<TRequest, TResponse>(this, services, (UnaryServerMethod<TRequest, TResponse>)Handler),
        MethodType.ClientStreaming => new ClientStreamingCallHandler<TRequest, TResponse>(this, services, (ClientStreamingServerMethod<TRequest, TResponse>)Handler),
        MethodType.ServerStreaming => new ServerStreamingCallHandler<TRequest, TResponse>(this, services, (ServerStreamingServerMethod<TRequest, TResponse>)Handler),
        MethodType.DuplexStreaming => new DuplexStreamingCallHandler<TRequest, TResponse>(this, services, (DuplexStreamingServerMethod<TRequest, TResponse>)Handler),
        _ => throw new InvalidOperationException($"Unknown method type {Type}."),
    };
}
