using System.IO.Pipelines;
using System.Net;
using Google.Protobuf;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>
/// One call on the wire: sends the HTTP/2 request, validates the response headers, reads messages and trailers, and
/// owns the call's cancellation (caller's token, deadline, dispose). Message types appear only on the generic methods,
/// so the public call objects of any message type share this one class.
/// </summary>
/// <remarks>
/// The first status set wins (<see cref="TrySetResult"/>); later ones, such as the I/O error a read sees after the call
/// was cancelled, are dropped. Only the reader completes the response pipe; cancellation only disposes the response,
/// which is how HttpClient sends RST_STREAM once SendAsync has returned (grpc-dotnet GrpcCall).
/// </remarks>
internal sealed partial class GrpcCall
{
    private readonly GrpcChannel _channel;
    private readonly string _fullName;
    private readonly CancellationToken _callerToken;
    private readonly Metadata? _headers;
    private readonly bool _streamingResponse;
    private readonly DateTime _deadline;
    private readonly CancellationTokenSource _cts = new();
    private CancellationTokenRegistration _callerRegistration;
    private CancellationTokenRegistration _cancelRegistration;
    private Task<HttpResponseMessage?> _responseTask = null!;
    private Task<Metadata>? _responseHeadersTask;
    private HttpRequestMessage? _request;
    private volatile HttpResponseMessage? _response;
    private volatile bool _responseHeadersValid;
    private string? _responseEncoding;
    private StreamingRequestContent? _streamingContent;
    private CallResult? _result;
    private volatile bool _clientCancelled;
    private volatile bool _disposed;

    public GrpcCall(GrpcChannel channel, string fullName, CallOptions options, bool streamingResponse)
    {
        _channel = channel;
        _fullName = fullName;
        _callerToken = options.CancellationToken;
        _headers = options.Headers;
        _streamingResponse = streamingResponse;
        _deadline = options.Deadline switch
        {
            null when channel.DefaultDeadline is { } relative => DateTime.UtcNow + relative,
            null => DateTime.MaxValue,
            { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
            { } deadline => deadline,
        };
    }

    internal CallResult? Result => Volatile.Read(ref _result);

    internal int MaxSendMessageSize => _channel.MaxSendMessageSize;

    internal bool CompressRequests => _channel.CompressRequests;

    /// <summary>Fires when the call is cancelled, its deadline passes or it fails.</summary>
    internal CancellationToken CallToken => _cts.Token;

    public void StartUnaryRequest(IMessage request) =>
        StartUnary(request, static (IMessage message, GrpcChannel channel, out int length) => RequestFraming.Frame(message, channel.MaxSendMessageSize, channel.CompressRequests, out length));

    /// <summary>A unary request whose message the caller serialized.</summary>
    public void StartUnaryRequest(ReadOnlyMemory<byte> encoded) =>
        StartUnary(encoded, static (ReadOnlyMemory<byte> message, GrpcChannel channel, out int length) => RequestFraming.Frame(message.Span, channel.MaxSendMessageSize, channel.CompressRequests, out length));

    public StreamingRequestContent StartStreamingRequest()
    {
        var content = new StreamingRequestContent();
        _streamingContent = content;
        Start(content, watchCancellation: true);
        return content;
    }

    private delegate byte[] Framer<TMessage>(TMessage message, GrpcChannel channel, out int length);

    private void StartUnary<TMessage>(TMessage message, Framer<TMessage> frame)
    {
        byte[] buffer;
        int length;
        try
        {
            buffer = frame(message, _channel, out length);
        }
        catch (RpcException ex)
        {
            // Over the send limit: the call fails without anything sent.
            TrySetResult(ex.Status, new Metadata());
            _responseTask = Task.FromResult<HttpResponseMessage?>(null);
            return;
        }

        Start(new UnaryRequestContent(buffer, length), watchCancellation: _streamingResponse);
    }

    /// <summary>Response headers as metadata; throws the call's <see cref="RpcException"/> when the call failed before valid headers arrived.</summary>
    public Task<Metadata> GetResponseHeadersAsync() => _responseHeadersTask ??= ReadResponseHeadersAsync();

    public Status GetStatus() =>
        Result?.Status ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");

    public Metadata GetTrailers() =>
        Result?.Trailers ?? throw new InvalidOperationException("Can't get the trailers because the call is not complete.");

    /// <summary>Cancels the call if it is still running (CANCELLED, RST_STREAM) and releases its resources.</summary>
    public void Dispose()
    {
        _disposed = true;
        if (Result is null)
        {
            _cts.Cancel();
        }
        else
        {
            _response?.Dispose();
        }
    }

    /// <summary>The caller cancelled through a token of their own (MoveNextAsync, WriteAsync).</summary>
    public void CancelByClient()
    {
        _clientCancelled = true;
        _cts.Cancel();
    }

    /// <summary>
    /// Sets the final status if none is set yet. A non-OK status also stops the transport: the request is cancelled
    /// and the response disposed, which resets the HTTP/2 stream if it is still open.
    /// </summary>
    internal bool TrySetResult(CallResult result)
    {
        if (Interlocked.CompareExchange(ref _result, result, null) is not null)
        {
            return false;
        }

        _callerRegistration.Unregister();
        _cancelRegistration.Unregister();
        if (_deadline != DateTime.MaxValue)
        {
            _cts.CancelAfter(Timeout.Infinite);
        }

        _streamingContent?.Abort(result.Status.Code == StatusCode.OK
            ? new InvalidOperationException("Can't write the message because the call is complete.")
            : result.ToException());
        if (result.Status.Code != StatusCode.OK)
        {
            _cts.Cancel();
            _response?.Dispose();
        }

        return true;
    }

    internal bool TrySetResult(Status status, Metadata trailers) => TrySetResult(new CallResult(status, trailers));

    private void Start(HttpContent content, bool watchCancellation)
    {
        string? timeout = null;
        if (_deadline != DateTime.MaxValue)
        {
            var remaining = _deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                // Already expired: fail at once rather than send a call the server would reject (grpc-dotnet does the same).
                content.Dispose();
                TrySetResult(DeadlineExceeded, new Metadata());
                _responseTask = Task.FromResult<HttpResponseMessage?>(null);
                return;
            }

            timeout = GrpcTimeout.Format(remaining);

            // CancelAfter takes at most uint.MaxValue - 1 ms (~49 days); a deadline beyond that is not enforced locally.
            if (remaining.TotalMilliseconds < uint.MaxValue - 1)
            {
                _cts.CancelAfter(remaining);
            }
        }

        if (_callerToken.CanBeCanceled)
        {
            _callerRegistration = _callerToken.UnsafeRegister(static s => ((GrpcCall)s!)._cts.Cancel(), this);
        }

        // Unary calls always have a read or a send waiting on the token; streaming calls may have none, so a
        // callback sets the status and resets the stream.
        if (watchCancellation)
        {
            _cancelRegistration = _cts.Token.UnsafeRegister(static s => ((GrpcCall)s!).OnCancelled(), this);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, _channel.GetUri(_fullName))
        {
            Version = HttpVersion.Version20,

            // Exact: the only policy that allows h2c with prior knowledge on http:// (and no fallback to HTTP/1.1).
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        RequestHeaders.Add(request.Headers, timeout, _channel.UserAgent, _channel.CompressRequests, _headers);
        _request = request;
        _responseTask = SendAsync(request);
    }

    private async Task<HttpResponseMessage?> SendAsync(HttpRequestMessage request)
    {
        HttpResponseMessage response;
        try
        {
            response = await _channel.Invoker.SendAsync(request, _cts.Token);
        }
        catch (Exception ex)
        {
            TrySetResult(StatusFromException(ex, "Error starting gRPC call."), new Metadata());
            return null;
        }

        _response = response;
        if (_cts.IsCancellationRequested)
        {
            // Cancelled while the headers were arriving: the callback may have run before _response was set.
            response.Dispose();
            TrySetResult(CancelStatus(), new Metadata());
            return response;
        }

        var status = ResponseStatus.Validate(response, out var trailersOnly);
        if (status is not { } failed)
        {
            _responseEncoding = GetEncoding(response);
            _responseHeadersValid = true;
            return response;
        }

        if (trailersOnly && failed.Code == StatusCode.OK)
        {
            _responseHeadersValid = true;
            if (!_streamingResponse)
            {
                // A unary response needs a message; OK without one is a broken server (grpc-dotnet: INTERNAL).
                failed = MissingMessage;
            }
        }

        TrySetResult(new CallResult(failed, trailersOnly ? ResponseMetadata.Read(response.Headers) : new Metadata()));
        response.Dispose();
        return response;
    }

    private async Task<Metadata> ReadResponseHeadersAsync()
    {
        var response = await _responseTask;
        if (response is null || !_responseHeadersValid)
        {
            throw Result!.ToException();
        }

        return ResponseMetadata.Read(response.Headers);
    }

    private void OnCancelled()
    {
        TrySetResult(CancelStatus(), new Metadata());
        _response?.Dispose();
    }

    private static string? GetEncoding(HttpResponseMessage response)
    {
        if (response.Headers.NonValidated.TryGetValues(MessageCompression.EncodingHeader, out var values))
        {
            foreach (var value in values)
            {
                return value;
            }
        }

        return null;
    }
}
