namespace OptOutGate.Rpc.Server.Services;

/// <summary>The four kinds of gRPC call, from a method descriptor's streaming flags.</summary>
public enum MethodType
{
    Unary,
    ClientStreaming,
    ServerStreaming,
    DuplexStreaming,
}
