using System.Net;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Grpc.Interop;

/// <summary>
/// The interop server: the test-only Interop service, grpc.health.v1 (Grpc.HealthCheck) and reflection
/// (Grpc.AspNetCore.Server.Reflection) on Grpc.AspNetCore and Kestrel, h2c on a loopback port the OS picks, with the
/// library's default limits (the 4 MiB receive limit is what large_message needs). The interop cases exercise the gRPC
/// stack the gate stands on with every kind of call; the gate's own methods meet independent clients in
/// UndecodableRequestTests, MoPythonClientTests and LatencyProbeTests.
/// </summary>
internal sealed class InteropServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InteropServer(WebApplication app, int port, LogCapture logs)
    {
        _app = app;
        Port = port;
        Logs = logs;
    }

    public int Port { get; }

    /// <summary>Everything the server logged, for failure messages.</summary>
    public LogCapture Logs { get; }

    public static async Task<InteropServer> StartAsync()
    {
        var logs = new LogCapture();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton(TimeProvider.System);
        var health = new HealthServiceImpl();
        health.SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.Serving);
        health.SetStatus("optoutgate.interop.Interop", HealthCheckResponse.Types.ServingStatus.Serving);
        builder.Services.AddSingleton(health);

        var app = builder.Build();
        app.MapGrpcService<InteropService>();
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcReflectionService();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InteropServer(app, new Uri(address).Port, logs);
    }

    /// <summary>What the server logged at <paramref name="minimum"/> or above, one entry per line; empty when nothing.</summary>
    public string Describe(LogLevel minimum) => Logs.Describe(minimum);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
