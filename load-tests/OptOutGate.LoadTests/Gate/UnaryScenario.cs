using Grpc.Health.V1;
using OptOutGate.LoadTests.Running;

namespace OptOutGate.LoadTests.Gate;

/// <summary>
/// `unary`: grpc.health.v1.Health/Check back to back from -c workers: the cost of the gRPC layer alone, the baseline
/// the other scenarios' figures stand on.
/// </summary>
internal static class UnaryScenario
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        using var gate = GateClients.Primary(options);
        var request = new HealthCheckRequest();
        Console.Error.WriteLine($"unary: {GateClients.HealthCheckName} on {options.Address}, {options.Concurrency} workers over {options.Connections} connections, {options.Warmup.TotalSeconds:0.#} s warm-up + {options.Duration.TotalSeconds:0.#} s");
        var run = await RunLoop.RunAsync(RunSettings.From("unary", options), async (worker, _, ct) =>
        {
            await gate.For(worker).Health.CheckAsync(request, gate.Call(ct));
            return default;
        }, cancellationToken);
        return Output.Print([run.ToReport(options.Name, countsRecipients: false)], options, GateClients.HealthCheckName, run.EndReason);
    }
}
