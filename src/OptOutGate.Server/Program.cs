using OptOutGate.Server.Hosting;

// The OptOutGate host. Everything it needs comes from configuration (appsettings.json, environment variables,
// command line); on its defaults it is a standalone gate on 127.0.0.1:50051 with metrics on 127.0.0.1:9090.
var app = GateHost.Build(args);
await app.RunAsync();
