using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Server.Health;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Metrics;
using OptOutGate.Rpc.Server.Reflection;
using OptOutGate.Rpc.Server.Services;
using OptOutGate.Rpc.Tests.Reflection;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Health;

/// <summary>
/// A real Kestrel host as the gate runs it: gRPC (h2c) with Echo, a descriptor-only Probe service, health and
/// reflection; Prometheus /metrics over HTTP/1.1 on a second loopback port. Ports are chosen by the OS.
/// </summary>
public sealed class ObservabilityServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri Address { get; private set; } = null!;

    public Uri MetricsAddress { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public HealthStatusRegistry Health { get; private set; } = null!;

    public CallMetricsRecorder Calls { get; private set; } = null!;

    public IHostApplicationLifetime Lifetime { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? grpc = null, metrics = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureRpcDefaults();
            kestrel.Listen(IPAddress.Loopback, 0, listen => (grpc = listen).Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, 0, listen => (metrics = listen).Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddRpcServer();
        builder.Services.AddSingleton(new EchoProbe());
        builder.Services.AddRpcService(static sp => EchoService.Create(sp.GetRequiredService<EchoProbe>()));
        builder.Services.AddRpcService(static _ => ServiceDefinition.CreateBuilder(TestDescriptors.ProbeService).Build());
        builder.Services.AddRpcHealth();
        builder.Services.AddRpcReflection();
        builder.Services.AddPrometheusMetrics();

        _app = builder.Build();
        _app.MapRpcServices();
        _app.MapPrometheusMetrics("/metrics");
        Calls = new CallMetricsRecorder(_app.Services.GetRequiredService<IMeterFactory>());
        await _app.StartAsync();

        Address = new Uri("http://" + grpc!.IPEndPoint);
        MetricsAddress = new Uri("http://" + metrics!.IPEndPoint);
        Channel = GrpcChannel.ForAddress(Address);
        Health = _app.Services.GetRequiredService<HealthStatusRegistry>();
        Lifetime = _app.Lifetime;
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        Calls?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
