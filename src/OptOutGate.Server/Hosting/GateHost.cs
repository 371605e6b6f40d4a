using Microsoft.Extensions.Options;
using OptOutGate.Rpc.Server;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Health;
using OptOutGate.Rpc.Server.Metrics;
using OptOutGate.Rpc.Server.Reflection;
using OptOutGate.Server.Api;
using OptOutGate.Server.Engine;
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

        var gateSection = builder.Configuration.GetSection(GateServerOptions.SectionName);
        var gateOptions = gateSection.Get<GateServerOptions>() ?? new GateServerOptions();
        ThrowIfInvalid(gateOptions);

        builder.Services.AddOptions<GateServerOptions>().Bind(gateSection).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GateServerOptions>, GateServerOptionsValidator>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = gateOptions.ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel => KestrelSetup.Configure(kestrel, gateOptions));

        builder.Services.AddRpcServer(rpc => builder.Configuration.GetSection("Rpc").Bind(rpc));
        // NOT_SERVING from the first moment: readiness (engine recovered, host started) is what turns it to SERVING.
        builder.Services.AddRpcHealth(health => health.InitiallyServing = false);
        builder.Services.AddRpcReflection();
        builder.Services.AddPrometheusMetrics();
        builder.Services.AddSingleton<ServerReadiness>();
        builder.Services.AddGateReplication(builder.Configuration);
        builder.Services.AddSingleton<IRpcCallInterceptor, ReadinessInterceptor>();
        builder.Services.AddGateTenancy(builder.Configuration, gateOptions);
        builder.Services.AddGateEngine(builder.Configuration);
        builder.Services.AddGateApi();
        builder.Services.AddHostedService<ReadinessLifecycle>();

        var app = builder.Build();
        app.MapRpcServices();
        if (gateOptions.MetricsPort >= 0)
        {
            app.MapPrometheusMetrics("/metrics");
        }

        return app;
    }

    /// <summary>Fails fast, before Kestrel binds, with every problem listed (the host's own validation runs later).</summary>
    private static void ThrowIfInvalid(GateServerOptions options)
    {
        var result = new GateServerOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(GateServerOptions.SectionName, typeof(GateServerOptions), result.Failures);
        }
    }
}
