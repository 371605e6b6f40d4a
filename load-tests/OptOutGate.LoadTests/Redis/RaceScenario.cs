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
/// warmed up once before the first round. The Redis client sends pre-encoded commands while the gate client
/// serializes each request: the asymmetry favours Redis.
/// </summary>
internal static class RaceScenario
{
    private const int SaddChunk = 10_000;

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
        var redis = new RespConnection[options.Connections];
        for (var i = 0; i < redis.Length; i++)
        {
            redis[i] = await RespConnection.ConnectAsync("127.0.0.1", server.Port, cancellationToken);
        }

        try
        {
            return await RaceAsync(options, server, redis, cancellationToken);
        }
        finally
        {
            foreach (var connection in redis)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<int> RaceAsync(LoadTestOptions options, RedisServerProcess server, RespConnection[] redis, CancellationToken cancellationToken)
    {
        var space = new RecipientSpace(options.Seed);
        var key = "optoutgate:loadtest:" + options.Sender;
        Console.Error.WriteLine($"race: redis-server on 127.0.0.1:{server.Port}, set {key}");
        await LoadRedisAsync(redis, key, options.Dataset, space, cancellationToken);

        using var gate = GateClients.Primary(options);
        if (!await CheckScenario.PrepareAsync(gate, options, space, cancellationToken))
        {
            return 1;
        }

        var pool = BatchPool.Create(options, space);
        var commands = pool.Requests.Select(r => RespConnection.Encode("SMISMEMBER", key, r.Recipients)).ToArray();
        var verify = options.ChecksVerdicts;
        var gateCall = CheckScenario.CreateCall(gate, pool, verify);
        RunLoop.CallAsync redisCall = async (worker, sequence, ct) =>
        {
            var index = (int)(((worker * 7919L) + sequence) % commands.Length);
            var present = await redis[worker % redis.Length].SendAsync(commands[index], ct);
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
        var code = Output.Print([gateReport, redisReport], options, GateClients.CheckBatchName + " vs SMISMEMBER", gateRuns.Count > 0 ? gateRuns[^1].EndReason : "cancel");
        Console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Race: gate {gateReport.RecipientsPerSecond:N0} recipients/s, redis {redisReport.RecipientsPerSecond:N0} recipients/s: {verdict}"));
        return code;
    }

    private static LoadReport Merge(string name, List<RunResult> runs) =>
        LoadReport.From(name, runs.SelectMany(static r => r.Recorders), TimeSpan.FromTicks(runs.Sum(static r => r.Total.Ticks)), countsRecipients: true);

    private static async Task LoadRedisAsync(RespConnection[] redis, string key, long dataset, RecipientSpace space, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await redis[0].SendAsync(RespConnection.Encode("DEL", key, []), cancellationToken);
        var chunks = (int)((dataset + SaddChunk - 1) / SaddChunk);
        long added = 0;

        // Pipelined: up to 4 SADDs in flight per connection; each holds 10,000 members.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, chunks),
            new ParallelOptions { MaxDegreeOfParallelism = 4 * redis.Length, CancellationToken = cancellationToken },
            async (chunk, ct) =>
            {
                var from = (long)chunk * SaddChunk;
                var members = new List<string>(SaddChunk);
                for (var i = from; i < Math.Min(from + SaddChunk, dataset); i++)
                {
                    members.Add(space.Number(i));
                }

                Interlocked.Add(ref added, await redis[chunk % redis.Length].SendAsync(RespConnection.Encode("SADD", key, members), ct));
            });

        // SMISMEMBER needs Redis 6.2; say so plainly rather than failing every call of the race.
        try
        {
            await redis[0].SendAsync(RespConnection.Encode("SMISMEMBER", key, [space.Number(0)]), cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException("This redis-server does not answer SMISMEMBER (Redis 6.2 or later is needed): " + ex.Message, ex);
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"race: redis loaded {added:N0} members in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));
    }
}
