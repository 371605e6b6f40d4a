using Microsoft.Extensions.Options;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Diagnostics.CallTimeline;
using OptOutGate.Server.Hosting.AcceptLimit;
using OptOutGate.Server.WebConsole;
using OptOutGate.Server.Metrics;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Replication;
using OptOutGate.Server.Tenancy;
using OptOutGate.Server.Webhooks;

namespace OptOutGate.Server.Hosting;

/// <summary>Builds the gate's web application: configuration, validated options, listeners, services, lifecycle.</summary>
public static class GateHost
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables("OPTOUTGATE_");
        builder.Configuration.AddCommandLine(args);

        // The slim builder registers only the simple console formatter and pins it; AddConsole brings the json one, and
        // binding the section again, last, lets Logging:Console:FormatterName (json in appsettings.json) take effect.
        builder.Logging.AddConsole();
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(builder.Configuration.GetSection("Logging:Console"));

        // Every section bound and checked at once: bad settings stop the start here, all of them named.
        var settings = GateSettings.Load(builder.Configuration);
        var gateOptions = settings.Gate;
        builder.Services.AddSingleton(Options.Create(gateOptions));
        builder.Services.AddSingleton(settings.Mo);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = gateOptions.ShutdownTimeout);
        var descriptorLimit = ConnectionLimits.DescriptorLimit();
        var listeners = new GateListeners();
        builder.Services.AddSingleton(listeners);
        var timeline = CallTimelineSetup.Create(builder.Services, gateOptions);
        builder.WebHost.ConfigureKestrel(kestrel => KestrelSetup.Configure(kestrel, gateOptions, listeners, timeline));
        builder.Services.AddAcceptLimit(ConnectionLimits.MaxConnections(gateOptions, descriptorLimit), ConnectionLimits.RejectionMargin(descriptorLimit));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServerReadiness>();
        builder.Services.AddGateMetrics();
        builder.Services.AddGateReplication(settings.Replication);
        builder.Services.AddGateTenancy(settings.Tenants);
        builder.Services.AddGateEngine(settings.Engine);
        builder.Services.AddGateApi(settings.Rpc, settings.Replication);
        builder.Services.AddGateWebhooks(settings.Webhooks, settings.Replication);
        builder.Services.AddGateConsole(settings.Replication);

        var app = builder.Build();
        var kestrelLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KestrelSetup));
        app.Lifetime.ApplicationStarted.Register(() => HostingLog.Listening(kestrelLogger, listeners.GrpcAddress, listeners.HttpAddress, listeners.MetricsAddress));
        HostingLog.ConnectionLimits(
            kestrelLogger,
            ConnectionLimits.MaxConnections(gateOptions, descriptorLimit),
            descriptorLimit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown",
            gateOptions.MaxStreamsPerConnection,
            gateOptions.KeepAliveTimeout.TotalSeconds);
        CallTimelineSetup.UseInPipeline(app, timeline);
        app.MapGateApi();
        app.MapGateConsole();
        if (gateOptions.MetricsPort >= 0)
        {
            app.MapGateMetrics();
        }

        return app;
    }
}
