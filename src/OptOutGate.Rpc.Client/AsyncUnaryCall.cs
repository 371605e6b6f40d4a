using System.Runtime.CompilerServices;
using OptOutGate.Rpc.Client.Internal;

namespace OptOutGate.Rpc.Client;

/// <summary>A running unary call. Await it for the response; dispose it to cancel it if it is still running.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
{
    private readonly GrpcCall _call;

    internal AsyncUnaryCall(GrpcCall call, Task<TResponse> responseAsync)
    {
        _call = call;
        ResponseAsync = responseAsync;
    }

    /// <summary>The response; faults with <see cref="RpcException"/> when the call ends with a status other than OK.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>The response headers (initial metadata); faults with <see cref="RpcException"/> when the call failed before them.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <exception cref="InvalidOperationException">The call is not complete.</exception>
    public Status GetStatus() => _call.GetStatus();

    /// <exception cref="InvalidOperationException">The call is not complete.</exception>
    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}
