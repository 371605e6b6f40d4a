using System.Globalization;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Http2;
using OptOutGate.LoadTests.Reporting;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Gate;

/// <summary>
/// `check`: Gate.CheckBatch with pre-built batches of --batch-size recipients, --opted-out-share of them from the loaded
/// dataset. Every answer is checked: a batch whose BLOCKED_OPTED_OUT count differs from the number of opted-out
/// recipients in it is tallied as a verdict mismatch (a wrong "allowed" is the one answer the gate must never give).
/// </summary>
internal static class CheckScenario
{
    public const string AsExpected = "verdicts as expected";
    public const string Mismatch = "verdict mismatch";

    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var space = new RecipientSpace(options.Seed);
        using var gate = GateClients.Primary(options);
        if (!await PrepareAsync(gate, options, space, cancellationToken))
        {
            return 1;
        }

        var pool = BatchPool.Create(options, space);
        var call = CreateCall(gate, pool, options.ChecksVerdicts);
        Describe("check", options, pool);
        if (!options.FindHalfLoad)
        {
            var run = options.Direct
                ? RunDirect(RunSettings.From("check (direct)", options), options, pool, cancellationToken)
                : await RunLoop.RunAsync(RunSettings.From("check", options), call, cancellationToken);
            var report = run.ToReport(options.Name, countsRecipients: true);
            return Output.Print([report], options, GateClients.CheckBatchName, run.EndReason);
        }

        // p99 at half of the maximum load (DESIGN.md, "Speed and size targets"): first find the maximum, then pace at half.
        var max = await RunLoop.RunAsync(RunSettings.From("check (max)", options), call, cancellationToken);
        var maxReport = max.ToReport(Named(options, "maximum load"), countsRecipients: true);
        var half = maxReport.Rps / 2;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"check: maximum {maxReport.Rps:0.0} calls/s; now paced at half, {half:0.0} calls/s"));
        var settings = RunSettings.From(options.Direct ? "check (half, direct)" : "check (half)", options) with { Rps = half };
        var paced = options.Direct ? RunDirect(settings, options, pool, cancellationToken) : await RunLoop.RunAsync(settings, call, cancellationToken);
        var halfReport = paced.ToReport(Named(options, string.Create(CultureInfo.InvariantCulture, $"half load ({half:0.0} calls/s)")), countsRecipients: true);
        var p99 = LoadReport.Percentile(halfReport.SortedOkNanos, 99);
        halfReport.Notes.Add(("Target", $"p99 {GhzFormat.NanoUnit(p99)} at half load, target < 1 ms: {(p99 < 1_000_000 ? "met" : "NOT met")}"));
        return Output.Print([maxReport, halfReport], options, GateClients.CheckBatchName, paced.EndReason);
    }

    /// <summary>Loads the dataset unless --no-load; false (after saying why) when the gate cannot take it.</summary>
    public static async Task<bool> PrepareAsync(GateClients gate, LoadTestOptions options, RecipientSpace space, CancellationToken cancellationToken)
    {
        if (options.NoLoad)
        {
            return true;
        }

        try
        {
            await DatasetLoader.LoadAsync(gate, options, space, cancellationToken);
            return true;
        }
        catch (Grpc.Core.RpcException ex)
        {
            Console.Error.WriteLine($"load: failed: {GhzFormat.ErrorText(ex.Status)}");
            Console.Error.WriteLine("load: pass --no-load to check against what the gate already holds (verdict mismatches are then expected).");
            return false;
        }
    }

    /// <summary>One CheckBatch of the pool's pre-serialized batches, its answer read as a <see cref="CheckBatchTally"/>.</summary>
    public static RunLoop.CallAsync CreateCall(GateClients gate, BatchPool pool, bool verify) =>
        async (worker, sequence, cancellationToken) =>
        {
            var request = pool.Encoded((worker * 7919L) + sequence);
            var tally = await gate.For(worker).CheckBatchRaw(request, gate.Call(cancellationToken));
            return Result(tally, pool, verify);
        };

    /// <summary>A paced run on the direct HTTP/2 client (--direct): the same batches, every answer checked the same way.</summary>
    private static RunResult RunDirect(RunSettings settings, LoadTestOptions options, BatchPool pool, CancellationToken cancellationToken)
    {
        var target = new DirectUnaryTarget(
            options.Address.Host,
            options.Address.Port,
            DirectGate.HeaderBlock(options, GateClients.CheckBatchName, deadline: true),
            pool.AllEncoded,
            message => Result(CheckBatchTally.Decode(message), pool, options.ChecksVerdicts));
        return DirectUnaryRun.Run(settings, target, options.Connections, options.Timeout, cancellationToken, options.TimelinePath);
    }

    /// <summary>An answer as the run records it: its recipients, and whether its verdicts are the expected ones.</summary>
    internal static CallResult Result(CheckBatchTally tally, BatchPool pool, bool verify) =>
        new(tally.Verdicts, verify ? Verify(tally.Verdicts, tally.Counts, pool.BatchSize, pool.ExpectedBlocked) : null);

    public static string Verify(int verdicts, VerdictCounts? counts, int recipients, int expectedBlocked) =>
        verdicts == recipients && counts is not null && counts.BlockedOptedOut == expectedBlocked
            ? AsExpected
            : Mismatch;

    public static void Describe(string scenario, LoadTestOptions options, BatchPool pool, int? workers = null) =>
        Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{scenario}: {options.Address} {workers ?? options.Concurrency} workers over {options.Connections} connections, {pool.BatchSize} recipients per batch ({pool.ExpectedBlocked} opted out{(options.Compact ? "; to the gate as recipients_e164" : string.Empty)}), sender {options.Sender}, {options.SmsType}, {(options.ByCount ? $"{options.Total} calls" : $"{options.Duration.TotalSeconds:0.#} s")} after {options.Warmup.TotalSeconds:0.#} s warm-up{(options.Rps > 0 ? $", {options.Rps} calls/s" : string.Empty)}"));

    private static string Named(LoadTestOptions options, string what) => options.Name.Length > 0 ? options.Name + ", " + what : what;
}
