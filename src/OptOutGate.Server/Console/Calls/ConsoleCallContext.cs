using Grpc.Core;

namespace OptOutGate.Server.WebConsole.Calls;

/// <summary>
/// The server-side context of one console call: the method's path, the page's request (grpc-dotnet's
/// <c>GetHttpContext</c> finds it under the "__HttpContext" user-state key, its documented hook for custom invokers),
/// and the page's cancellation. Headers and trailers are empty: a page reads only the response or the status.
/// </summary>
internal sealed class ConsoleCallContext : ServerCallContext
{
    /// <summary>The key under which grpc-dotnet's GetHttpContext looks for the request of a call it did not route itself.</summary>
    private const string HttpContextKey = "__HttpContext";

    private readonly string _method;
    private readonly HttpContext _http;
    private readonly CancellationToken _cancellation;
    private readonly Metadata _requestHeaders = [];
    private readonly Metadata _responseTrailers = [];
    private Status _status;

    public ConsoleCallContext(string method, HttpContext http, CancellationToken cancellation)
    {
        _method = method;
        _http = http;
        _cancellation = cancellation;
        UserState[HttpContextKey] = http;
    }

    protected override string MethodCore => _method;

    protected override string HostCore => _http.Request.Host.Value ?? "";

    protected override string PeerCore => "console:" + _http.Connection.RemoteIpAddress;

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore => _requestHeaders;

    protected override CancellationToken CancellationTokenCore => _cancellation;

    protected override Metadata ResponseTrailersCore => _responseTrailers;

    protected override Status StatusCore
    {
        get => _status;
        set => _status = value;
    }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("Console calls do not propagate.");

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
