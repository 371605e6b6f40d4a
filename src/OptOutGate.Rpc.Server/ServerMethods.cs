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
/// A unary handler that decodes its request and encodes its response itself: <paramref name="request"/> is the request
/// message's bytes (decompressed), valid until the returned task completes; the response writes its own protobuf bytes
/// (<see cref="IRawResponse"/>). For hot methods whose generated classes allocate per item (optoutgate.v1.Gate/CheckBatch:
/// a string per recipient in the request, a 4-byte enum per verdict in the response; tests/OptOutGate.Benchmarks/README.md).
/// Malformed bytes are the handler's to report, as INTERNAL like a failed parse.
/// </summary>
public delegate Task<IRawResponse> RawUnaryServerMethod(ReadOnlySequence<byte> request, ServerCallContext context);

/// <summary>
/// A response message that serializes itself, like <see cref="Google.Protobuf.IMessage"/>'s CalculateSize and WriteTo,
/// for <see cref="RawUnaryServerMethod"/>. The layer disposes it once written, or when the call ends without it (so it
/// may hold pooled buffers).
/// </summary>
public interface IRawResponse : IDisposable
{
    /// <summary>The encoded size in bytes.</summary>
    int CalculateSize();

    /// <summary>Writes exactly <see cref="CalculateSize"/> bytes of protobuf encoding to <paramref name="destination"/>.</summary>
    void WriteTo(Span<byte> destination);
}
