using Google.Protobuf.Reflection;

namespace OptOutGate.Rpc.Server.Services;

/// <summary>
/// A service as the server exposes it: its descriptor (for routing and reflection) and the methods bound so far.
/// Methods of the descriptor that are not bound answer UNIMPLEMENTED with <see cref="UnimplementedMessage"/>.
/// </summary>
public sealed class ServiceDefinition
{
    internal ServiceDefinition(ServiceDescriptor descriptor, IReadOnlyList<ServerMethodDefinition> methods, string unimplementedMessage)
    {
        Descriptor = descriptor;
        Methods = methods;
        UnimplementedMessage = unimplementedMessage;
    }

    public ServiceDescriptor Descriptor { get; }

    public IReadOnlyList<ServerMethodDefinition> Methods { get; }

    /// <summary>The UNIMPLEMENTED detail for unbound methods; <c>{0}</c> is replaced by the method's full name.</summary>
    public string UnimplementedMessage { get; }

    public static ServiceDefinitionBuilder CreateBuilder(ServiceDescriptor descriptor) => new(descriptor);
}
