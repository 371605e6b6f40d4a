namespace OptOutGate.Server.Tests.Grpc.Interop;

/// <summary>The independent interop clients in <c>tests/interop</c> (their CLI contract is in its README).</summary>
internal enum InteropClient
{
    /// <summary>Python grpcio (C-core): <c>tests/interop/python/interop_client.py</c>.</summary>
    Python,

    /// <summary>Node @grpc/grpc-js: <c>tests/interop/node/interop_client.js</c>.</summary>
    Node,
}
