using OptOutGate.LoadTests;

// Usage: OptOutGate.LoadTests unary --address http://127.0.0.1:5000 [--concurrency 64] [--duration 10s] [--warmup 2s]
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

switch (options.Scenario)
{
    case "unary":
        var report = await UnaryScenario.RunAsync(options, stop.Token);
        Console.Write(report.Format());
        return report.Count > 0 ? 0 : 1;
    default:
        Console.Error.WriteLine($"Unknown scenario '{options.Scenario}'.");
        Console.Error.WriteLine(LoadTestOptions.Usage);
        return 2;
}
