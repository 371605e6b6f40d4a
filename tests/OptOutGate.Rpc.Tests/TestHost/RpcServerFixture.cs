using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Server.Hosting;
using Xunit;

namespace OptOutGate.Rpc.Tests.TestHost;

/// <summary>A real Kestrel server (h2c on a loopback port chosen by the OS) serving the Echo service.</summary>
public sealed class RpcServerFixture : IAsyncLifetime
{
    public const int MaxReceiveMessageSize = 64 * 1024;
    public const int MaxSendMessageSize = 256 * 1024;

    private WebApplication? _app;

    public EchoProbe Probe { get; } = new();

    public LogSink Logs { get; } = new();

    public CallMetricsRecorder Metrics { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    /// <summary>A raw HTTP/2 client for hand-made frames.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(Logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureRpcDefaults();
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddRpcServer(options =>
        {
            options.MaxReceiveMessageSize = MaxReceiveMessageSize;
            options.MaxSendMessageSize = MaxSendMessageSize;
        });
        builder.Services.AddSingleton(Probe);
        builder.Services.AddSingleton<IRpcCallInterceptor, DenyInterceptor>();
        builder.Services.AddRpcService(sp => EchoService.Create(sp.GetRequiredService<EchoProbe>()));

        _app = builder.Build();
        _app.MapRpcServices();
        Metrics = new CallMetricsRecorder(_app.Services.GetRequiredService<IMeterFactory>());
        await _app.StartAsync();

        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Address = new Uri(addresses.First());
        Http = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
        {
            BaseAddress = Address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        Metrics?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RpcServerCollection : ICollectionFixture<RpcServerFixture>
{
    // Tests that share the server run one after another, so log and metric assertions see only their own calls.
    public const string Name = "RpcServer";
}
