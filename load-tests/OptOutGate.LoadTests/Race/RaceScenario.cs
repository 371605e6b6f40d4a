using System.Globalization;
using OptOutGate.LoadTests.Gate;
using OptOutGate.LoadTests.Http2;
using OptOutGate.LoadTests.Reporting;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Race;

/// <summary>
/// `race`: the check workload against the gate and against each peer (<c>--peers</c>: redis-server and garnet-server
/// by default) in one run, on the same machine, with the same batches, the same number of workers and connections:
/// a peer answers one SMISMEMBER per batch on a set holding the same opted-out numbers (target: the gate checks at
/// least 2× the recipients per second of each). Each round runs gate, first peer, gate, second peer... (--rounds of
/// -z each), so that every peer alternates with the gate and a noisy neighbour hurts both sides of each pair alike;
/// each peer's ratio compares it with the gate runs paired with it. Every side is warmed up once before the first
/// round. The peers get pre-encoded commands on a client that costs almost nothing (RespConnection); the gate's
/// requests are pre-serialized too, and its answers parsed: the asymmetry favours the peers.
/// </summary>
internal static class RaceScenario
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var key = "optoutgate:loadtest:" + options.Sender;
        var peers = new List<RacePeer>();
        try
        {
            foreach (var kind in options.Peers)
            {
                try
                {
                    peers.Add(await RacePeer.StartAsync(kind, options.PeerExecutable(kind), options.Connections, options.Dataset, key, cancellationToken));
                }
                catch (InvalidOperationException ex)
                {
                    Console.Error.WriteLine("race: " + ex.Message);
                    return 2;
                }

                Console.Error.WriteLine($"race: {kind.Program} on 127.0.0.1:{peers[^1].Port} (pid {peers[^1].ProcessId}), set {key}");
            }

            return await RaceAsync(options, peers, cancellationToken);
        }
        finally
        {
            foreach (var peer in peers)
            {
                await peer.DisposeAsync();
            }
        }
    }

    private static async Task<int> RaceAsync(LoadTestOptions options, List<RacePeer> peers, CancellationToken cancellationToken)
    {
        var space = new RecipientSpace(options.Seed);
        foreach (var peer in peers)
        {
            await peer.LoadAsync(options.Dataset, space, cancellationToken);
        }

        using var gate = GateClients.Primary(options);
        if (!await CheckScenario.PrepareAsync(gate, options, space, cancellationToken))
        {
            return 1;
        }

        var pool = BatchPool.Create(options, space);

        // --stream: the gate's side pipelined on CheckStream, one stream per connection, as the peers pipeline their
        // commands on one socket per connection (the same number of batches in flight on each).
        // With --direct those streams go through the bare HTTP/2 client, as bare as the peers' RESP client.
        await using var streams = options.Stream && !options.Direct ? new CheckStreams(gate, options, options.Connections, cancellationToken) : null;
        // Unary calls with --direct go through it too.
        using var direct = options.Stream && options.Direct ? DirectCheckStreams.Connect(options) : null;
        DirectCheckBatches? directUnary;
        try
        {
            directUnary = !options.Stream && options.Direct ? DirectCheckBatches.Connect(options) : null;
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine("race: " + ex.Message);
            return 2;
        }

        using var closeDirectUnary = directUnary;
        var gateCall = (streams, direct, directUnary) switch
        {
            (not null, _, _) => streams.CreateCall(pool, options),
            (_, not null, _) => direct.CreateCall(pool, options),
            (_, _, not null) => directUnary.CreateCall(pool, options.ChecksVerdicts),
            _ => CheckScenario.CreateCall(gate, pool, options.ChecksVerdicts),
        };
        var peerCalls = peers.ConvertAll(p => p.CreateCall(pool));

        CheckScenario.Describe($"race ({options.Rounds} rounds × gate{(options.Stream ? " on CheckStream" : string.Empty)}{(options.Direct ? " (direct client)" : string.Empty)} and {string.Join(", gate and ", peers.Select(static p => p.Kind.Name))})", options, pool);
        var round = RunSettings.From("race", options) with { Warmup = TimeSpan.Zero };
        if (options.Warmup > TimeSpan.Zero)
        {
            await RunLoop.RunAsync(round with { Label = "race/gate warm-up", Duration = options.Warmup, Total = 0 }, gateCall, cancellationToken);
            for (var p = 0; p < peers.Count; p++)
            {
                await RunLoop.RunAsync(round with { Label = $"race/{peers[p].Kind.Name} warm-up", Duration = options.Warmup, Total = 0 }, peerCalls[p], cancellationToken);
            }
        }

        // gateRuns[p]: the gate's runs right before peer p's, so that each ratio compares runs of the same minutes.
        var gateRuns = peers.ConvertAll(static _ => new List<RunResult>());
        var peerRuns = peers.ConvertAll(static _ => new List<RunResult>());
        var gateCpu = peers.ConvertAll(_ => new SideCpu("gate", options.GatePid));
        var peerCpu = peers.ConvertAll(p => new SideCpu(p.Kind.Program, p.ProcessId));
        for (var r = 1; r <= options.Rounds && !cancellationToken.IsCancellationRequested; r++)
        {
            for (var p = 0; p < peers.Count && !cancellationToken.IsCancellationRequested; p++)
            {
                var name = peers[p].Kind.Name;
                var peerCall = peerCalls[p];
                gateRuns[p].Add(await gateCpu[p].MeasureAsync(() => RunLoop.RunAsync(round with { Label = $"race/gate (beside {name}) {r}/{options.Rounds}" }, gateCall, cancellationToken)));
                peerRuns[p].Add(await peerCpu[p].MeasureAsync(() => RunLoop.RunAsync(round with { Label = $"race/{name} {r}/{options.Rounds}" }, peerCall, cancellationToken)));
            }
        }

        var prefix = options.Name.Length > 0 ? options.Name + ", " : string.Empty;
        var reports = new List<LoadReport>();
        var lines = new List<string>();
        for (var p = 0; p < peers.Count; p++)
        {
            var name = peers[p].Kind.Name;
            var gateReport = Merge($"{prefix}gate CheckBatch (rounds beside {name})", gateRuns[p]);
            var peerReport = Merge($"{prefix}{name} SMISMEMBER", peerRuns[p]);
            var ratio = peerReport.RecipientsPerSecond > 0 ? gateReport.RecipientsPerSecond / peerReport.RecipientsPerSecond : 0;
            var verdict = string.Create(CultureInfo.InvariantCulture, $"{ratio:0.00}x {name}'s recipients/s (target >= 2x): {(ratio >= 2 ? "met" : "NOT met")}");
            gateReport.Notes.Add(("Versus " + name, verdict));
            gateCpu[p].AddNotes(gateReport);
            peerCpu[p].AddNotes(peerReport);
            reports.Add(gateReport);
            reports.Add(peerReport);
            lines.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"Race: gate {gateReport.RecipientsPerSecond:N0} recipients/s, {name} {peerReport.RecipientsPerSecond:N0} recipients/s: {verdict}"));
        }

        var endReason = gateRuns.Count > 0 && gateRuns[^1].Count > 0 ? gateRuns[^1][^1].EndReason : "cancel";
        var code = Output.Print(reports, options, GateClients.CheckBatchName + " vs SMISMEMBER", endReason);
        foreach (var line in lines)
        {
            Console.Out.WriteLine(line);
        }

        return code;
    }

    private static LoadReport Merge(string name, List<RunResult> runs) =>
        LoadReport.From(name, runs.SelectMany(static r => r.Recorders), TimeSpan.FromTicks(runs.Sum(static r => r.Total.Ticks)), countsRecipients: true);
}
