using Microsoft.AspNetCore.Http;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>A call context over a bare <see cref="DefaultHttpContext"/>: what a handler sees if it runs outside the server.</summary>
internal sealed class DefaultHttpContextCall : global::Grpc.Core.ServerCallContext
{
    private readonly Dictionary<object, object> _userState = new() { ["__HttpContext"] = new DefaultHttpContext() };

    protected override string MethodCore => "/optoutgate.v1.Gate/CheckBatch";

    protected override string HostCore => "127.0.0.1";

    protected override string PeerCore => "ipv4:127.0.0.1:1";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override global::Grpc.Core.Metadata RequestHeadersCore { get; } = [];

    protected override CancellationToken CancellationTokenCore => CancellationToken.None;

    protected override global::Grpc.Core.Metadata ResponseTrailersCore { get; } = [];

    protected override global::Grpc.Core.Status StatusCore { get; set; }

    protected override global::Grpc.Core.WriteOptions? WriteOptionsCore { get; set; }

    protected override global::Grpc.Core.AuthContext AuthContextCore { get; } = new(null, []);

    protected override IDictionary<object, object> UserStateCore => _userState;

    protected override global::Grpc.Core.ContextPropagationToken CreatePropagationTokenCore(global::Grpc.Core.ContextPropagationOptions? options) =>
        throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(global::Grpc.Core.Metadata responseHeaders) => Task.CompletedTask;
}
