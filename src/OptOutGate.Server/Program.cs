using Microsoft.Extensions.Options;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Hosting;
using OptOutGate.Server.Tenancy;

// The OptOutGate host. Everything it needs comes from configuration (appsettings.json, environment variables,
// command line); on its defaults it is a standalone gate on 127.0.0.1:50051 (gRPC), 127.0.0.1:8080 (JSON/REST)
// and metrics on 127.0.0.1:9090.
// `new-key` and `hash-key` (README, "API keys") run instead of the server. Exit codes: Readiness/ExitCodes.
if (KeyCommands.TryRun(args, Console.In, Console.Out, Console.Error, out var exitCode))
{
    return exitCode;
}

try
{
    var app = GateHost.Build(args);
    await app.RunAsync();

    // A fatal failure while running (Readiness/GateEngineHost) sets the code before it stops the host.
    return Environment.ExitCode;
}
catch (ConfigurationProblemsException e)
{
    return StartupErrors.Configuration(e.Problems);
}
catch (OptionsValidationException e)
{
    return StartupErrors.Configuration(e.Failures.ToList());
}
#pragma warning disable CA1031 // Whatever stopped the start is reported in one line and ends the process with a failure code.
catch (Exception e)
#pragma warning restore CA1031
{
    return StartupErrors.Fatal(e);
}
