using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;

namespace OptOutGate.Rpc.Tests.Client;

/// <summary>The Echo test service's methods as the client sees them.</summary>
internal static class EchoMethods
{
    public static readonly Method<EchoRequest, EchoReply> Unary = From("Unary");
    public static readonly Method<EchoRequest, EchoReply> ClientStream = From("ClientStream");
    public static readonly Method<EchoRequest, EchoReply> ServerStream = From("ServerStream");
    public static readonly Method<EchoRequest, EchoReply> Duplex = From("Duplex");
    public static readonly Method<EchoRequest, EchoReply> Unbound = From("Unbound");

    private static Method<EchoRequest, EchoReply> From(string name) =>
        Method<EchoRequest, EchoReply>.From(EchoService.Descriptor.FindMethodByName(name));
}
