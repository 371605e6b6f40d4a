using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace OptOutGate.Rpc.Client;

/// <summary>
/// A method the client can call: its path (<c>/package.Service/Method</c>), its kind and its message parsers. Build it
/// from the generated descriptor with <see cref="From"/> so that the path is never typed by hand.
/// </summary>
public sealed class Method<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    private static readonly MessageParser<TRequest> s_requestParser = new(static () => new TRequest());
    private static readonly MessageParser<TResponse> s_responseParser = new(static () => new TResponse());
    private static readonly RawMessageDecoder<TResponse> s_responseDecoder = s_responseParser.ParseFrom;

    /// <summary>A method by name, for services without a descriptor at hand (or to call a method the server lacks).</summary>
    public Method(MethodType type, string serviceName, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
    }

    public MethodType Type { get; }

    /// <summary>The service's full name, <c>package.Service</c>.</summary>
    public string ServiceName { get; }

    public string Name { get; }

    /// <summary>The HTTP/2 <c>:path</c>, <c>/package.Service/Method</c> (case-sensitive, PROTOCOL-HTTP2.md).</summary>
    public string FullName { get; }

    public MessageParser<TRequest> RequestParser => s_requestParser;

    public MessageParser<TResponse> ResponseParser => s_responseParser;

    /// <summary><see cref="ResponseParser"/> as the call reads with it (one delegate for the type, made once).</summary>
    internal RawMessageDecoder<TResponse> ResponseDecoder => s_responseDecoder;

    /// <summary>The method of a generated service descriptor, checked against <typeparamref name="TRequest"/> and <typeparamref name="TResponse"/>.</summary>
    /// <exception cref="ArgumentException">The descriptor's message types are not <typeparamref name="TRequest"/> and <typeparamref name="TResponse"/>.</exception>
    public static Method<TRequest, TResponse> From(MethodDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.InputType.ClrType != typeof(TRequest) || descriptor.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException(
                $"Method {descriptor.FullName} takes {descriptor.InputType.ClrType?.Name} and returns {descriptor.OutputType.ClrType?.Name}, not {typeof(TRequest).Name} → {typeof(TResponse).Name}.",
                nameof(descriptor));
        }

        var type = (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        return new Method<TRequest, TResponse>(type, descriptor.Service.FullName, descriptor.Name);
    }

    public override string ToString() => FullName;
}
