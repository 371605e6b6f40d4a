using Microsoft.AspNetCore.Http;

namespace OptOutGate.Rpc.Server;

/// <summary>What a handler knows about its call and can do to it besides sending messages.</summary>
public abstract class ServerCallContext
{
    /// <summary>The full method path, <c>/package.Service/Method</c>.</summary>
    public abstract string Method { get; }

    /// <summary>Custom request metadata (pseudo-headers and reserved gRPC headers removed; <c>-bin</c> decoded).</summary>
    public abstract Metadata RequestHeaders { get; }

    /// <summary>Metadata sent with the status at the end of the call.</summary>
    public abstract Metadata ResponseTrailers { get; }

    /// <summary>The call's deadline in UTC from <c>grpc-timeout</c>; <see cref="DateTime.MaxValue"/> when none.</summary>
    public abstract DateTime Deadline { get; }

    /// <summary>Cancelled when the client cancels (RST_STREAM), the deadline passes, or the server shuts down hard.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>The caller's address, as <c>ipv4:1.2.3.4:5678</c> or <c>ipv6:[::1]:5678</c>.</summary>
    public abstract string Peer { get; }

    /// <summary>The underlying HTTP/2 request (for connection facts such as the local endpoint or TLS).</summary>
    public abstract HttpContext HttpContext { get; }

    /// <summary>Sends response headers now with <paramref name="headers"/> added; at most once, before the first message.</summary>
    public abstract Task WriteResponseHeadersAsync(Metadata headers);
}
