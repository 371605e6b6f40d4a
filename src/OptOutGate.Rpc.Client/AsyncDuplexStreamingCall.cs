using OptOutGate.Rpc.Client.Internal;

namespace OptOutGate.Rpc.Client;

/// <summary>
/// A running bidirectional call. Requests and responses flow independently (full duplex): responses can be read
/// while the request stream is still open.
/// </summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly GrpcCall _call;

    internal AsyncDuplexStreamingCall(GrpcCall call, IClientStreamWriter<TRequest> requestStream, IAsyncStreamReader<TResponse> responseStream)
    {
        _call = call;
        RequestStream = requestStream;
        ResponseStream = responseStream;
    }

    /// <summary>The requests; <c>CompleteAsync</c> half-closes the call (END_STREAM).</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

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
