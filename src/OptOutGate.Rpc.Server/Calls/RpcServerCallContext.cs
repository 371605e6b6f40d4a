using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>
/// The state of one call on one HTTP/2 stream. It is the only per-call object on the unary path without a deadline:
/// metadata, trailers and the peer string are created only when a handler asks for them, and the cancellation token
/// is the request's own RequestAborted.
/// </summary>
internal sealed partial class RpcServerCallContext : ServerCallContext, IAsyncDisposable
{
    private readonly HttpContext _http;
    private readonly ServerMethodDefinition _method;
    private readonly RpcCallServices _services;
    private CallDeadline? _deadline;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private string? _peer;

    public RpcServerCallContext(HttpContext http, ServerMethodDefinition method, RpcCallServices services)
    {
        _http = http;
        _method = method;
        _services = services;
    }

    public override string Method => _method.Path;

    public override Metadata RequestHeaders => _requestHeaders ??= RequestMetadata.Parse(_http.Request.Headers, _services.Logger);

    public override Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    public override DateTime Deadline => _deadline?.Deadline ?? DateTime.MaxValue;

    public override CancellationToken CancellationToken => _deadline?.Token ?? _http.RequestAborted;

    public override string Peer => _peer ??= FormatPeer(_http.Connection);

    public override HttpContext HttpContext => _http;

    public ServerMethodDefinition MethodDefinition => _method;

    public RpcCallServices Services => _services;

    /// <summary>The request's <c>grpc-encoding</c> when it is gzip or deflate; null for none or identity.</summary>
    public string? RequestEncoding { get; private set; }

    /// <summary>
    /// True once reading the request body failed with Kestrel's IOException: the client reset the stream or the
    /// connection was lost. Kestrel fails the body pipe at once but cancels RequestAborted later, from the thread pool,
    /// so the exception a handler passes on can arrive while RequestAborted is still unset; without this mark a client's
    /// cancel was logged as a handler error and counted as UNKNOWN.
    /// </summary>
    public bool RequestStreamFailed { get; private set; }

    public void MarkRequestStreamFailed() => RequestStreamFailed = true;

    /// <summary>
    /// Reads the call's protocol headers. False with the status to send when the call must end before the handler
    /// runs: an unsupported <c>grpc-encoding</c> (UNIMPLEMENTED, doc/compression.md) or a deadline already passed.
    /// </summary>
    public bool TryStart(out Status failure)
    {
        var headers = _http.Request.Headers;
        string? encoding = headers[RpcProtocol.EncodingHeader];
        if (!string.IsNullOrEmpty(encoding) && !string.Equals(encoding, "identity", StringComparison.Ordinal))
        {
            if (!MessageCompression.IsSupported(encoding))
            {
                failure = new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: {MessageCompression.Supported}");
                return false;
            }

            RequestEncoding = encoding;
        }

        string? timeoutText = headers[RpcProtocol.TimeoutHeader];
        if (!string.IsNullOrEmpty(timeoutText))
        {
            if (!GrpcTimeout.TryParse(timeoutText, out var timeout))
            {
                RpcServerLog.InvalidTimeoutIgnored(_services.Logger, timeoutText);
            }
            else if (timeout <= TimeSpan.Zero)
            {
                // grpc-js sends "0m" for a deadline that has already passed: answering at once keeps such a call
                // from running unbounded.
                failure = RpcStatuses.DeadlineExceeded;
                return false;
            }
            else
            {
                _deadline = new CallDeadline(this, timeout, _services.TimeProvider);
            }
        }

        failure = default;
        return true;
    }

    public override async Task WriteResponseHeadersAsync(Metadata headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        await EnterWriteAsync();
        try
        {
            if (_responseStarted)
            {
                throw new InvalidOperationException("Response headers can only be sent once per call, before the first message.");
            }

            ResponseMetadata.Append(_http.Response.Headers, headers);
            _responseStarted = true;
            await _http.Response.BodyWriter.FlushAsync(CancellationToken);
        }
        finally
        {
            ExitWrite();
        }
    }

    public ValueTask DisposeAsync() => _deadline?.DisposeAsync() ?? default;

    private static string FormatPeer(ConnectionInfo connection)
    {
        var address = connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"ipv6:[{address}]:{connection.RemotePort}"
            : $"ipv4:{address}:{connection.RemotePort}";
    }
}
