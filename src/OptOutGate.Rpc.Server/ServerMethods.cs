using System.Buffers;

namespace OptOutGate.Rpc.Server;

/// <summary>A unary handler: one request, one response.</summary>
public delegate Task<TResponse> UnaryServerMethod<TRequest, TResponse>(TRequest request, ServerCallContext context);

/// <summary>A client-streaming handler: many requests, one response.</summary>
public delegate Task<TResponse> ClientStreamingServerMethod<TRequest, TResponse>(
    IAsyncStreamReader<TRequest> requestStream, ServerCallContext context);

/// <summary>A server-streaming handler: one request, many responses.</summary>
public delegate Task ServerStreamingServerMethod<TRequest, TResponse>(
    TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context);

/// <summary>A bidirectional-streaming handler: requests and responses flow independently.</summary>
public delegate Task DuplexStreamingServerMethod<TRequest, TResponse>(
    IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context);

/// <summary>
/// A unary handler that decodes its request itself: <paramref name="request"/> is the request message's bytes
/// (decompressed), valid until the returned task completes. For hot methods whose generated parser allocates per item
/// (optoutgate.v1.Gate/CheckBatch makes a string per recipient: tests/OptOutGate.Benchmarks/README.md). Malformed bytes
/// are the handler's to report, as INTERNAL like a failed parse.
/// </summary>
public delegate Task<TResponse> RawUnaryServerMethod<TResponse>(ReadOnlySequence<byte> request, ServerCallContext context);
