using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace OptOutGate.Rpc.Server.Services;

/// <summary>
/// Binds handlers to a service's methods. Every binding is checked against the generated descriptor (the method
/// belongs to the service, its message types and streaming kind match the handler), so a wrong binding fails at
/// start-up instead of at the first call.
/// </summary>
public sealed class ServiceDefinitionBuilder
{
    private readonly ServiceDescriptor _service;
    private readonly List<ServerMethodDefinition> _methods = [];
    private string _unimplementedMessage = "Method {0} is not implemented by this server.";

    public ServiceDefinitionBuilder(ServiceDescriptor service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
    }

    public ServiceDefinitionBuilder AddUnary<TRequest, TResponse>(MethodDescriptor method, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
        => Add<TRequest, TResponse>(method, MethodType.Unary, handler);

    /// <summary>
    /// Binds a unary method whose handler decodes the request bytes and encodes the response bytes itself
    /// (<see cref="RawUnaryServerMethod"/>); <typeparamref name="TRequest"/> and <typeparamref name="TResponse"/> are still
    /// checked against the descriptor (reflection and clients see the declared types).
    /// </summary>
    public ServiceDefinitionBuilder AddUnaryRaw<TRequest, TResponse>(MethodDescriptor method, RawUnaryServerMethod handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
        => Add<TRequest, TResponse>(method, MethodType.Unary, handler);

    public ServiceDefinitionBuilder AddClientStreaming<TRequest, TResponse>(MethodDescriptor method, ClientStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
        => Add<TRequest, TResponse>(method, MethodType.ClientStreaming, handler);

    public ServiceDefinitionBuilder AddServerStreaming<TRequest, TResponse>(MethodDescriptor method, ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
        => Add<TRequest, TResponse>(method, MethodType.ServerStreaming, handler);

    public ServiceDefinitionBuilder AddDuplexStreaming<TRequest, TResponse>(MethodDescriptor method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
        => Add<TRequest, TResponse>(method, MethodType.DuplexStreaming, handler);

    /// <summary>Sets the UNIMPLEMENTED detail for unbound methods; <c>{0}</c> becomes the method's full name.</summary>
    public ServiceDefinitionBuilder WithUnimplementedMessage(string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(message);
        _unimplementedMessage = message;
        return this;
    }

    public ServiceDefinition Build() => new(_service, _methods.ToArray(), _unimplementedMessage);

    private ServiceDefinitionBuilder Add<TRequest, TResponse>(MethodDescriptor method, MethodType type, Delegate handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        if (method.Service != _service)
        {
            throw new ArgumentException($"Method {method.FullName} does not belong to service {_service.FullName}.", nameof(method));
        }

        if (ServerMethodDefinition.TypeOf(method) != type)
        {
            throw new ArgumentException($"Method {method.FullName} is {ServerMethodDefinition.TypeOf(method)}, but a {type} handler was given.", nameof(method));
        }

        if (method.InputType.ClrType != typeof(TRequest) || method.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException(
                $"Method {method.FullName} takes {method.InputType.ClrType?.Name} and returns {method.OutputType.ClrType?.Name}; the handler is for {typeof(TRequest).Name} → {typeof(TResponse).Name}.",
                nameof(method));
        }

        foreach (var existing in _methods)
        {
            if (existing.Descriptor == method)
            {
                throw new ArgumentException($"Method {method.FullName} is bound twice.", nameof(method));
            }
        }

        _methods.Add(new ServerMethodDefinition<TRequest, TResponse>(method, type, handler));
        return this;
    }
}
