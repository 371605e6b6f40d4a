using OptOutGate.Server.Hosting;
using OptOutGate.Server.Tenancy;

// The OptOutGate host. Everything it needs comes from configuration (appsettings.json, environment variables,
// command line); on its defaults it is a standalone gate on 127.0.0.1:50051 with metrics on 127.0.0.1:9090.
// `new-key` and `hash-key` (README, "API keys") run instead of the server.
if (KeyCommands.TryRun(args, Console.In, Console.Out, Console.Error, out var exitCode))
{
    return exitCode;
}

var app = GateHost.Build(args);
await app.RunAsync();
return 0;
