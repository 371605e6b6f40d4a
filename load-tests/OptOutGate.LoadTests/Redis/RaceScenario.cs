using System.Diagnostics;
using System.Globalization;
using OptOutGate.LoadTests.Gate;
using OptOutGate.LoadTests.Reporting;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Redis;

/// <summary>
/// `race`: the check workload against the gate and against Redis in one run, on the same machine, with the same batches,
/// the same number of workers and connections: Redis answers one SMISMEMBER per batch on a set holding the same
/// opted-out numbers (DESIGN.md target: the gate checks at least 2× the recipients per second). Rounds alternate
/// gate, Redis, gate, Redis... (--rounds of -z each) so that a noisy neighbour hurts both sides alike; each side is
/// warmed up once before the first round. Both clients encode each batch once, before the run: the Redis client
/// (<see cref="RedisSetClient"/>) its members, the gate client its serialized CheckBatchRequest.
/// </summary>
internal static class RaceScenario
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        RedisServerProcess server;
        try
        {
            server = await RedisServerProcess.StartAsync(options.RedisServer, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine("race: " + ex.Message);
            return 2;
        }

        await using var _ = server;
        await using var redis = await RedisSetClient.ConnectAsync(server.Port, options.Connections, "optoutgate:loadtest:" + options.Sender);
        return await RaceAsync(options, server, redis, cancellationToken);
    }

    private static async Task<int> RaceAsync(LoadTestOptions options, RedisServerProcess server, RedisSetClient redis, CancellationToken cancellationToken)
    {
        var space = new RecipientSpace(options.Seed);
        Console.Error.WriteLine($"race: redis-server on 127.0.0.1:{server.Port}, set {redis.Key}");
        var started = Stopwatch.GetTimestamp();
        var added = await redis.LoadAsync(options.Dataset, space, cancellationToken);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"race: redis loaded {added:N0} members in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));

        using var gate = GateClients.Primary(options);
        if (!await CheckScenario.PrepareAsync(gate, options, space, cancellationToken))
        {
            return 1;
        }

        var pool = BatchPool.Create(options, space);
        var members = RedisSetClient.Members(pool);
        var verify = options.ChecksVerdicts;
        var gateCall = CheckScenario.CreateCall(gate, pool, verify);
        RunLoop.CallAsync redisCall = async (worker, sequence, ct) =>
        {
            var index = (int)(((worker * 7919L) + sequence) % members.Length);
            var present = await redis.CountMembersAsync(worker, members[index]);
            return new CallResult(pool.BatchSize, present == pool.ExpectedBlocked ? CheckScenario.AsExpected : CheckScenario.Mismatch);
        };

        CheckScenario.Describe($"race ({options.Rounds} rounds × 2 sides)", options, pool);
        var round = RunSettings.From("race", options) with { Warmup = TimeSpan.Zero };
        if (options.Warmup > TimeSpan.Zero)
        {
            await RunLoop.RunAsync(round with { Label = "race/gate warm-up", Duration = options.Warmup, Total = 0 }, gateCall, cancellationToken);
            await RunLoop.RunAsync(round with { Label = "race/redis warm-up", Duration = options.Warmup, Total = 0 }, redisCall, cancellationToken);
        }

        var gateRuns = new List<RunResult>();
        var redisRuns = new List<RunResult>();
        for (var r = 1; r <= options.Rounds && !cancellationToken.IsCancellationRequested; r++)
        {
            gateRuns.Add(await RunLoop.RunAsync(round with { Label = $"race/gate {r}/{options.Rounds}" }, gateCall, cancellationToken));
            redisRuns.Add(await RunLoop.RunAsync(round with { Label = $"race/redis {r}/{options.Rounds}" }, redisCall, cancellationToken));
        }

        var prefix = options.Name.Length > 0 ? options.Name + ", " : string.Empty;
        var gateReport = Merge(prefix + "gate CheckBatch", gateRuns);
        var redisReport = Merge(prefix + "redis SMISMEMBER", redisRuns);
        var ratio = redisReport.RecipientsPerSecond > 0 ? gateReport.RecipientsPerSecond / redisReport.RecipientsPerSecond : 0;
        var verdict = string.Create(CultureInfo.InvariantCulture, $"{ratio:0.00}x Redis's recipients/s (target >= 2x): {(ratio >= 2 ? "met" : "NOT met")}");
        gateReport.Notes.Add(("Versus Redis", verdict));
        var code = Output.Print([gateReport, redisReport], options, GateClients.CheckBatch.FullName + " vs SMISMEMBER", gateRuns.Count > 0 ? gateRuns[^1].EndReason : "cancel");
        Console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Race: gate {gateReport.RecipientsPerSecond:N0} recipients/s, redis {redisReport.RecipientsPerSecond:N0} recipients/s: {verdict}"));
        return code;
    }

    private static LoadReport Merge(string name, List<RunResult> runs) =>
        LoadReport.From(name, runs.SelectMany(static r => r.Recorders), TimeSpan.FromTicks(runs.Sum(static r => r.Total.Ticks)), countsRecipients: true);
}
