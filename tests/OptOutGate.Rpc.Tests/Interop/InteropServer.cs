using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Server.Health;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Reflection;
using OptOutGate.Rpc.Tests.TestHost;

namespace OptOutGate.Rpc.Tests.Interop;

/// <summary>
/// The interop server: Interop, health and reflection on a real Kestrel, h2c on a loopback port chosen by the OS,
/// registered through the layer's public API with its default limits (the 4 MiB receive limit is what
/// large_message needs, so none is lowered here as <see cref="RpcServerFixture"/> does for its own tests).
/// </summary>
internal sealed class InteropServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InteropServer(WebApplication app, int port, LogSink logs)
    {
        _app = app;
        Port = port;
        Logs = logs;
    }

    public int Port { get; }

    /// <summary>Everything the server logged, for failure messages.</summary>
    public LogSink Logs { get; }

    public static async Task<InteropServer> StartAsync()
    {
        var logs = new LogSink();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureRpcDefaults();
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddRpcServer();
        builder.Services.AddRpcHealth();
        builder.Services.AddRpcReflection();
        builder.Services.AddRpcService(static sp => InteropService.Create(sp.GetRequiredService<TimeProvider>()));

        var app = builder.Build();
        app.MapRpcServices();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InteropServer(app, new Uri(address).Port, logs);
    }

    /// <summary>What the server logged at <paramref name="minimum"/> or above, one entry per line; empty when nothing.</summary>
    public string Describe(LogLevel minimum)
    {
        var lines = new System.Text.StringBuilder();
        foreach (var entry in Logs.Entries)
        {
            if (entry.Level >= minimum)
            {
                lines.Append(entry.Level).Append(' ').Append(entry.Category).Append(": ").Append(entry.Message);
                if (entry.Exception is not null)
                {
                    lines.Append(Environment.NewLine).Append(entry.Exception);
                }

                lines.AppendLine();
            }
        }

        return lines.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
