namespace OptOutGate.Rpc.Client;

/// <summary>
/// The four kinds of gRPC call, from a method descriptor's streaming flags. The client's own copy, so that the
/// client assembly does not depend on the server assembly.
/// </summary>
public enum MethodType
{
    Unary,
    ClientStreaming,
    ServerStreaming,
    DuplexStreaming,
}
