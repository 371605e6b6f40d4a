using Microsoft.Extensions.Options;
using OptOutGate.Rpc.Server;
using OptOutGate.Rpc.Server.Health;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Metrics;
using OptOutGate.Rpc.Server.Reflection;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Replication;
using OptOutGate.Server.Tenancy;

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
        builder.WebHost.ConfigureKestrel(kestrel => KestrelSetup.Configure(kestrel, gateOptions, descriptorLimit));

        builder.Services.AddRpcServer(rpc =>
        {
            rpc.MaxReceiveMessageSize = settings.Rpc.MaxReceiveMessageSize;
            rpc.MaxSendMessageSize = settings.Rpc.MaxSendMessageSize;
            rpc.EnableDetailedErrors = settings.Rpc.EnableDetailedErrors;
        });
        // NOT_SERVING from the first moment: readiness (engine recovered, host started) is what turns it to SERVING.
        builder.Services.AddRpcHealth(health => health.InitiallyServing = false);
        builder.Services.AddRpcReflection();
        builder.Services.AddPrometheusMetrics();
        builder.Services.AddSingleton<ServerReadiness>();
        builder.Services.AddGateReplication(settings.Replication);
        builder.Services.AddSingleton<IRpcCallInterceptor, ReadinessInterceptor>();
        builder.Services.AddGateTenancy(settings.Tenants);
        builder.Services.AddGateEngine(settings.Engine);
        builder.Services.AddGateApi();
        builder.Services.AddHostedService<ReadinessLifecycle>();

        var app = builder.Build();
        HostingLog.ConnectionLimits(
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KestrelSetup)),
            ConnectionLimits.MaxConnections(gateOptions, descriptorLimit),
            descriptorLimit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown",
            gateOptions.MaxStreamsPerConnection,
            gateOptions.KeepAliveTimeout.TotalSeconds);
        app.MapRpcServices();
        if (gateOptions.MetricsPort >= 0)
        {
            app.MapPrometheusMetrics("/metrics");
        }

        return app;
    }
}
