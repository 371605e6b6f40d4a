using System.Runtime.CompilerServices;
using OptOutGate.Rpc.Client.Internal;

namespace OptOutGate.Rpc.Client;

/// <summary>A running client-streaming call: write requests, complete the stream, await the response.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly GrpcCall _call;

    internal AsyncClientStreamingCall(GrpcCall call, IClientStreamWriter<TRequest> requestStream, Task<TResponse> responseAsync)
    {
        _call = call;
        RequestStream = requestStream;
        ResponseAsync = responseAsync;
    }

    /// <summary>The requests; <c>CompleteAsync</c> half-closes the call (END_STREAM).</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

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
