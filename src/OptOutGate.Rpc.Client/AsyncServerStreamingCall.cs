using OptOutGate.Rpc.Client.Internal;

namespace OptOutGate.Rpc.Client;

/// <summary>A running server-streaming call. Dispose it to cancel it (RST_STREAM) if it is not finished.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    private readonly GrpcCall _call;

    internal AsyncServerStreamingCall(GrpcCall call, IAsyncStreamReader<TResponse> responseStream)
    {
        _call = call;
        ResponseStream = responseStream;
    }

    /// <summary>The responses; <c>MoveNextAsync</c> throws <see cref="RpcException"/> when the call ends with a status other than OK.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    /// <summary>The response headers (initial metadata); faults with <see cref="RpcException"/> when the call failed before them.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    /// <exception cref="InvalidOperationException">The call is not complete.</exception>
    public Status GetStatus() => _call.GetStatus();

    /// <exception cref="InvalidOperationException">The call is not complete.</exception>
    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}
