using OptOutGate.LoadTests.Gate;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Mo;

/// <summary>
/// `mixed`: the check workload (-c, --connections, --rps) while MO writes go on (--mo-streams × --mo-in-flight,
/// --mo-rps) for the same warm-up and duration; both summaries are printed. Shows what durable writes cost the checks.
/// </summary>
internal static class MixedScenario
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var space = new RecipientSpace(options.Seed);
        using var gate = GateClients.Primary(options);
        if (!await CheckScenario.PrepareAsync(gate, options, space, cancellationToken))
        {
            return 1;
        }

        var pool = BatchPool.Create(options, space);
        var checkCall = CheckScenario.CreateCall(gate, pool, options.ChecksVerdicts);

        // MO on its own connections, as a carrier adapter would be a different client from the dispatcher.
        using var moGate = new GateClients(options.Address, Math.Max(1, Math.Min(options.MoStreams, options.Connections)), options.Key, options.Timeout);
        await using var mo = await MoScenario.StartAsync(moGate, options, options.MoStreams, cancellationToken);
        if (mo is null)
        {
            return 1;
        }

        CheckScenario.Describe("mixed", options, pool);
        Console.Error.WriteLine($"mixed: with MO on {options.MoStreams} streams × {options.MoInFlight} in flight{(options.MoRps > 0 ? $" at {options.MoRps} msgs/s" : string.Empty)}");
        var checkSettings = RunSettings.From("mixed/check", options);
        var moSettings = checkSettings with { Label = "mixed/mo", Concurrency = options.MoStreams * options.MoInFlight, Rps = options.MoRps };
        var checkRun = RunLoop.RunAsync(checkSettings, checkCall, cancellationToken);
        var moRun = RunLoop.RunAsync(moSettings, mo.Call, cancellationToken);
        await Task.WhenAll(checkRun, moRun);

        var prefix = options.Name.Length > 0 ? options.Name + ", " : string.Empty;
        var checkReport = (await checkRun).ToReport(prefix + "CheckBatch while MO writes go on", countsRecipients: true);
        var moReport = (await moRun).ToReport(prefix + "StreamMo while checks go on", countsRecipients: false);
        return Output.Print([checkReport, moReport], options, GateClients.CheckBatchName + " + " + GateClients.StreamMoName, (await checkRun).EndReason);
    }
}
