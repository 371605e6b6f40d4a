using System.Diagnostics;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Reporting;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;
using Grpc.Core;

namespace OptOutGate.LoadTests.Gate;

/// <summary>
/// `lag`: replication lag as a reader sees it. Each sample opts out a fresh number at the primary (Admin.AddOptOuts,
/// acknowledged once committed) and then asks the replica until its verdict for that number turns BLOCKED_OPTED_OUT;
/// the recorded latency runs from the primary's acknowledgement to the replica's first blocking answer (DESIGN.md
/// target: p99 under 10 ms). By default the replica is polled back to back with plain checks; --use-min-sequence makes
/// one check with min_sequence set instead, which the replica holds until it has applied the write. The final answer
/// is checked with `explain`: the deciding entry must be the one just written. Without --replica the primary is asked,
/// which measures its own read-your-write visibility.
/// </summary>
internal static class LagScenario
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        using var primary = GateClients.Primary(options);
        using var replica = new GateClients(options.Replica ?? options.Address, 1, options.Key, options.Timeout);
        var space = new RecipientSpace(options.Seed);
        var random = new Random(unchecked((int)options.Seed) ^ Environment.TickCount);
        var samples = options.Total > 0 ? options.Total : 200;
        // One sample at a time unless -c says otherwise: concurrent probes would measure the write path's queueing too.
        var concurrency = options.ConcurrencyGiven ? options.Concurrency : 1;
        // Samples taken during the warm-up (--warmup, 3 s by default) are not counted, as in every other scenario: the
        // first probes run cold code on both nodes, and with a few hundred samples three slow ones make the p99.
        var settings = RunSettings.From("lag", options) with { Concurrency = concurrency, Total = samples };
        Console.Error.WriteLine($"lag: write at {primary.Address}, read at {replica.Address}, {samples} samples, {(options.UseMinSequence ? "min_sequence wait" : "polling")}, {concurrency} at a time");

        var run = await RunLoop.RunAsync(settings, async (worker, _, ct) =>
        {
            string recipient;
            lock (random)
            {
                recipient = space.LagProbe(random);
            }

            var write = new AddOptOutsRequest { Scope = Scope.Sender, Sender = options.Sender, Reason = "lag probe" };
            write.Recipients.Add(recipient);
            var written = await primary.For(worker).Admin.AddOptOutsAsync(write, primary.Call(ct));
            var acked = Stopwatch.GetTimestamp();
            var sequence = written.Sequence != 0 ? written.Sequence : written.Results[0].Sequence;

            var check = new CheckBatchRequest { Sender = options.Sender, App = options.App, SmsType = SmsType.Marketing, MinSequence = options.UseMinSequence ? sequence : 0 };
            check.Recipients.Add(recipient);
            var deadline = DateTime.UtcNow + options.Timeout;
            while (true)
            {
                var answer = await replica.For(0).Gate.CheckBatchAsync(check, replica.Call(deadline, ct));
                if (answer.Verdicts.Count == 1 && answer.Verdicts[0] == Verdict.BlockedOptedOut)
                {
                    var lag = LatencyRecorder.ToNanos(Stopwatch.GetTimestamp() - acked);
                    return new CallResult(LatencyNanos: lag, Tag: await ExplainAsync(replica, check, sequence, ct));
                }

                if (options.UseMinSequence)
                {
                    return new CallResult(Tag: "not blocked at min_sequence");
                }

                if (DateTime.UtcNow >= deadline)
                {
                    throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"the replica did not block the recipient within {options.Timeout.TotalSeconds:0.#} s"));
                }
            }
        }, cancellationToken);

        var what = options.Replica is null ? "read-your-write on the primary (ack → verdict)" : "replication lag (primary ack → replica verdict)";
        var report = run.ToReport(options.Name.Length > 0 ? options.Name : what, countsRecipients: false);
        var p99 = LoadReport.Percentile(report.SortedOkNanos, 99);
        if (options.Replica is not null)
        {
            report.Notes.Add(("Target", $"p99 lag {GhzFormat.NanoUnit(p99)}, target < 10 ms: {(p99 < 10_000_000 ? "met" : "NOT met")}"));
        }

        return Output.Print([report], options, "AddOptOuts → " + GateClients.CheckBatchName, run.EndReason);
    }

    private static async Task<string> ExplainAsync(GateClients replica, CheckBatchRequest check, ulong sequence, CancellationToken cancellationToken)
    {
        var explain = check.Clone();
        explain.Explain = true;
        var answer = await replica.For(0).Gate.CheckBatchAsync(explain, replica.Call(cancellationToken));
        return answer.Explanations.Count == 1 && answer.Explanations[0].Entry?.Sequence == sequence
            ? "explained by the write"
            : "explained by another entry";
    }
}
