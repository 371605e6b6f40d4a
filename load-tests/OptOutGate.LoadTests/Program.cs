using OptOutGate.LoadTests.Gate;
using OptOutGate.LoadTests.Ghz;
using OptOutGate.LoadTests.Mo;
using OptOutGate.LoadTests.Race;
using OptOutGate.LoadTests.Running;

// The OptOutGate load generator: ghz-shaped summaries from the project's own client (README.md in this folder).
if (args is ["-h" or "--help" or "help", ..])
{
    Console.Out.WriteLine(LoadTestOptions.Usage);
    return 0;
}

if (!LoadTestOptions.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(LoadTestOptions.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    return options.Command switch
    {
        "unary" => await UnaryScenario.RunAsync(options, stop.Token),
        "check" => await CheckScenario.RunAsync(options, stop.Token),
        "check-stream" => await CheckStreamScenario.RunAsync(options, stop.Token),
        "mo" => await MoScenario.RunAsync(options, stop.Token),
        "webhook" => await OptOutGate.LoadTests.Webhooks.WebhookScenario.RunAsync(options, stop.Token),
        "mixed" => await MixedScenario.RunAsync(options, stop.Token),
        "lag" => await LagScenario.RunAsync(options, stop.Token),
        "race" => await RaceScenario.RunAsync(options, stop.Token),
        "ghz-data" => GhzDataCommand.Run(options),
        "timeline" => OptOutGate.LoadTests.Timeline.TimelineCommand.Run(options),
        "wait-ready" => await WaitReady.RunAsync(options, stop.Token),
        "wait-loaded" => await WaitLoaded.RunAsync(options, stop.Token),
        "load" => await LoadCommand.RunAsync(options, stop.Token),
        _ => Unknown(options.Command),
    };
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (Grpc.Core.RpcException ex)
{
    // Set-up calls outside the measured loop (loading, configuration) end the run with their status.
    Console.Error.WriteLine($"{options.Command}: {OptOutGate.LoadTests.Reporting.GhzFormat.ErrorText(ex.Status)}");
    return 1;
}

static int Unknown(string command)
{
    Console.Error.WriteLine($"Unknown command '{command}'.");
    Console.Error.WriteLine(LoadTestOptions.Usage);
    return 2;
}
