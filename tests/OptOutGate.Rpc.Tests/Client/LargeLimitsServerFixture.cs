using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

/// <summary>
/// The Echo service on Kestrel's stock HTTP/2 limits (100 streams per connection) and 8 MiB message limits: what the
/// client must cope with when it is not talking to a tuned server. <see cref="RpcServerFixture"/> has small message
/// limits (for limit tests) and 1000 streams per connection, so it can show neither 3 MiB messages nor the client
/// opening a second connection.
/// </summary>
public sealed class LargeLimitsServerFixture : IAsyncLifetime
{
    public const int MessageLimit = 8 * 1024 * 1024;
    public const int StreamsPerConnection = 100;

    private WebApplication? _app;

    public EchoProbe Probe { get; } = new();

    public Uri Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = StreamsPerConnection;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddRpcServer(options =>
        {
            options.MaxReceiveMessageSize = MessageLimit;
            options.MaxSendMessageSize = MessageLimit;
        });
        builder.Services.AddRpcService(_ => EchoService.Create(Probe));
        _app = builder.Build();
        _app.MapRpcServices();
        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
