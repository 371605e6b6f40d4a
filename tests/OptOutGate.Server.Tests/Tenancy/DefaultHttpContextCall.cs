extern alias ServerRpcLayer;

using Microsoft.AspNetCore.Http;
using OptOutGate.Rpc;
using ServerRpcLayer::OptOutGate.Rpc.Server;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>A call context over a bare <see cref="DefaultHttpContext"/>: what a handler sees if it runs outside the server.</summary>
internal sealed class DefaultHttpContextCall : ServerCallContext
{
    private readonly DefaultHttpContext _http = new();

    public override string Method => "/optoutgate.v1.Gate/CheckBatch";

    public override Metadata RequestHeaders { get; } = [];

    public override Metadata ResponseTrailers { get; } = [];

    public override DateTime Deadline => DateTime.MaxValue;

    public override CancellationToken CancellationToken => CancellationToken.None;

    public override string Peer => "ipv4:127.0.0.1:1";

    public override HttpContext HttpContext => _http;

    public override Task WriteResponseHeadersAsync(Metadata headers) => Task.CompletedTask;
}
