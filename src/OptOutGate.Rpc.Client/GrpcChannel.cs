using System.Collections.Concurrent;
using Google.Protobuf;
using OptOutGate.Rpc.Client.Internal;

namespace OptOutGate.Rpc.Client;

/// <summary>
/// A connection pool to one gRPC server and the entry point for calls. <c>http://</c> addresses use HTTP/2 with prior
/// knowledge (h2c), <c>https://</c> addresses TLS with ALPN h2. Create one per server and share it: it is thread-safe
/// and opens further HTTP/2 connections when a connection's concurrent-stream limit is reached.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly HttpMessageInvoker _invoker;
    private readonly ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);

    private GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Address = address;
        MaxReceiveMessageSize = options.MaxReceiveMessageSize ?? int.MaxValue;
        MaxSendMessageSize = options.MaxSendMessageSize ?? int.MaxValue;
        CompressRequests = options.CompressRequests;
        DefaultDeadline = options.DefaultDeadline;
        UserAgent = options.UserAgent ?? RequestHeaders.DefaultUserAgent;
        // HttpMessageInvoker rather than HttpClient: no per-request timeout (streaming calls are long) and less
        // work per call, as in grpc-dotnet.
        _invoker = options.HttpHandler is { } handler
            ? new HttpMessageInvoker(handler, disposeHandler: false)
            : new HttpMessageInvoker(CreateHandler(options), disposeHandler: true);
    }

    /// <summary>The server's base address (scheme, host and port).</summary>
    public Uri Address { get; }

    internal HttpMessageInvoker Invoker => _invoker;

    internal int MaxReceiveMessageSize { get; }

    internal int MaxSendMessageSize { get; }

    internal bool CompressRequests { get; }

    internal TimeSpan? DefaultDeadline { get; }

    internal string UserAgent { get; }

    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        return ForAddress(new Uri(address, UriKind.Absolute), options);
    }

    /// <exception cref="ArgumentException">The scheme is neither http nor https.</exception>
    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Address '{address}' must use http:// (h2c) or https:// (TLS).", nameof(address));
        }

        return new GrpcChannel(address, options ?? new GrpcChannelOptions());
    }

    /// <summary>Starts a unary call. Await the result (or <see cref="AsyncUnaryCall{TResponse}.ResponseAsync"/>) for the response.</summary>
    public AsyncUnaryCall<TResponse> UnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = StartUnaryShaped(method, MethodType.Unary, request, options);
        return new AsyncUnaryCall<TResponse>(call, call.ReadSingleResponseAsync(method.ResponseDecoder));
    }

    /// <summary>A unary call reduced to its response: the cheapest way to call, for callers that need neither headers nor trailers.</summary>
    /// <exception cref="RpcException">The call ended with a status other than OK.</exception>
    public Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = StartUnaryShaped(method, MethodType.Unary, request, options);
        return call.ReadSingleResponseAndDisposeAsync(method.ResponseDecoder);
    }

    /// <summary>
    /// A unary call without generated messages on the hot path: the request goes as the caller serialized it, and the
    /// response is read by <paramref name="decode"/> straight from the received bytes. For callers that send the same
    /// requests over and over or need a few fields of a large response (a load generator must not spend the CPU the
    /// server under test needs); <paramref name="method"/> still names and checks the call.
    /// </summary>
    /// <exception cref="RpcException">The call ended with a status other than OK (INTERNAL when <paramref name="decode"/> rejected the bytes).</exception>
    public Task<TResult> RawUnaryAsync<TRequest, TResponse, TResult>(Method<TRequest, TResponse> method, ReadOnlyMemory<byte> encodedRequest, RawMessageDecoder<TResult> decode, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        where TResult : class
    {
        CheckMethod(method, MethodType.Unary);
        ArgumentNullException.ThrowIfNull(decode);
        var call = new GrpcCall(this, method.FullName, options, streamingResponse: false);
        call.StartUnaryRequest(encodedRequest);
        return call.ReadSingleResponseAndDisposeAsync(decode);
    }

    public AsyncServerStreamingCall<TResponse> ServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = StartUnaryShaped(method, MethodType.ServerStreaming, request, options);
        return new AsyncServerStreamingCall<TResponse>(call, new ResponseStreamReader<TResponse>(call, method.ResponseDecoder));
    }

    public AsyncClientStreamingCall<TRequest, TResponse> ClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var (call, writer) = StartStreaming(method, MethodType.ClientStreaming, options);
        return new AsyncClientStreamingCall<TRequest, TResponse>(call, writer, call.ReadSingleResponseAsync(method.ResponseDecoder));
    }

    public AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var (call, writer) = StartStreaming(method, MethodType.DuplexStreaming, options);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(call, writer, new ResponseStreamReader<TResponse>(call, method.ResponseDecoder));
    }

    /// <summary>Closes the channel's connections; calls still running fail. A custom <see cref="GrpcChannelOptions.HttpHandler"/> is left open.</summary>
    public void Dispose() => _invoker.Dispose();

    internal Uri GetUri(string fullName)
    {
        // Parsing a Uri per call costs more than the lookup; the set of methods a channel calls is small.
        if (!_uris.TryGetValue(fullName, out var uri))
        {
            uri = _uris.GetOrAdd(fullName, static (name, baseAddress) => new Uri(baseAddress, name), Address);
        }

        return uri;
    }

    private GrpcCall StartUnaryShaped<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected, TRequest request, CallOptions options)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        CheckMethod(method, expected);
        ArgumentNullException.ThrowIfNull(request);
        var call = new GrpcCall(this, method.FullName, options, streamingResponse: expected != MethodType.Unary);
        call.StartUnaryRequest(request);
        return call;
    }

    private (GrpcCall Call, ClientStreamWriter<TRequest> Writer) StartStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected, CallOptions options)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        CheckMethod(method, expected);
        var call = new GrpcCall(this, method.FullName, options, streamingResponse: expected == MethodType.DuplexStreaming);
        var content = call.StartStreamingRequest();
        return (call, new ClientStreamWriter<TRequest>(call, content));
    }

    private static void CheckMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected)
        {
            throw new ArgumentException($"Method {method.FullName} is {method.Type}; it cannot be called as {expected}.", nameof(method));
        }
    }

    private static SocketsHttpHandler CreateHandler(GrpcChannelOptions options) => new()
    {
        // Kestrel refuses streams past 100 per connection; without this HttpClient queues the excess calls instead
        // of opening another connection (learn.microsoft.com/aspnet/core/grpc/performance).
        EnableMultipleHttp2Connections = true,

        // A gRPC channel is long-lived: reconnecting after a quiet minute (the default) adds a handshake to the
        // next call's latency.
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingDelay = options.KeepAlivePingDelay,
        KeepAlivePingTimeout = options.KeepAlivePingTimeout,
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        ConnectTimeout = options.ConnectTimeout,

        // gRPC is not a browser: no redirects, cookies or content-encoding; h2c cannot go through an HTTP proxy.
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseProxy = false,
    };
}
