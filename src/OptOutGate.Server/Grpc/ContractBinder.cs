using Google.Protobuf;
using Grpc.Core;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// Turns a generated <c>BindService(binder, service)</c> into a <see cref="ServerServiceDefinition"/> for
/// <c>MapGrpcService</c>, with two changes to what the generated code binds:
/// <list type="bullet">
/// <item>Every request marshaller answers bytes that do not decode as its message with INTERNAL "Error parsing request
/// message." (common.proto, gRPC's statuscodes.md: a parse failure is the library's INTERNAL, never INVALID_ARGUMENT).
/// grpc-dotnet itself would end such a call with UNKNOWN "Exception was thrown by handler.", since the generated
/// marshaller throws <see cref="InvalidProtocolBufferException"/>.</item>
/// <item>A method can be bound to a handler of its own with marshallers of its own (<see cref="Replace{TRequest,TResponse}"/>):
/// CheckBatch and CheckStream read their request bytes and write their response bytes themselves (Gate/CheckBatchCodec,
/// Gate/CheckStreamCodec).</item>
/// </list>
/// Reflection is told the services' descriptors directly (Hosting/GateApiServices), since endpoints mapped from a
/// definition carry no service type to find them by.
/// </summary>
internal sealed class ContractBinder : ServiceBinderBase
{
    /// <summary>The status of a request whose bytes do not decode as its message, whatever the method.</summary>
    public static readonly Status ParseError = new(StatusCode.Internal, "Error parsing request message.");

    private readonly ServerServiceDefinition.Builder _builder = ServerServiceDefinition.CreateBuilder();
    private readonly HashSet<string> _replaced = new(StringComparer.Ordinal);

    /// <summary>Binds <paramref name="method"/> to <paramref name="handler"/>; the generated binding of the same name is skipped.</summary>
    public ContractBinder Replace<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(method);
        _replaced.Add(method.FullName);
        _builder.AddMethod(method, handler);
        return this;
    }

    /// <summary>Binds the streaming <paramref name="method"/> to <paramref name="handler"/>; the generated binding of the same name is skipped.</summary>
    public ContractBinder Replace<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(method);
        _replaced.Add(method.FullName);
        _builder.AddMethod(method, handler);
        return this;
    }

    public ServerServiceDefinition Build() => _builder.Build();

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!_replaced.Contains(method.FullName))
        {
            _builder.AddMethod(Guarded(method), handler);
        }
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _builder.AddMethod(Guarded(method), handler);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _builder.AddMethod(Guarded(method), handler);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!_replaced.Contains(method.FullName))
        {
            _builder.AddMethod(Guarded(method), handler);
        }
    }

    private static Method<TRequest, TResponse> Guarded<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var deserialize = method.RequestMarshaller.ContextualDeserializer;
        var request = Marshallers.Create(
            method.RequestMarshaller.ContextualSerializer,
            context =>
            {
                try
                {
                    return deserialize(context);
                }
                catch (InvalidProtocolBufferException)
                {
                    throw new RpcException(ParseError);
                }
            });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, request, method.ResponseMarshaller);
    }
}
