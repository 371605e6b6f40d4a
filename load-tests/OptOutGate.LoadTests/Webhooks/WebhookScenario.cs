using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Gate;
using OptOutGate.LoadTests.Mo;
using OptOutGate.LoadTests.Reporting;
using OptOutGate.LoadTests.Running;

namespace OptOutGate.LoadTests.Webhooks;

/// <summary>
/// `webhook`: end-to-end webhook latency. A subscription (reply callback and opt-outs) to a receiver on loopback, then MO
/// STOPs over StreamMo paced at -r per second (default 500) for -z; for every STOP acknowledged in the measured window,
/// the time from its acknowledgement (the StreamMo result) to the receiver having its event. Both instants come from
/// this process's Stopwatch, so no clocks are compared. Prints the percentiles, how many events never arrived within -t
/// after the run, and how many signatures failed to verify.
/// </summary>
internal static class WebhookScenario
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        using var gate = GateClients.Primary(options);
        var rps = options.Rps > 0 ? options.Rps : 500;
        await using var mo = await MoScenario.StartAsync(gate, options, options.Concurrency, cancellationToken, fixedText: "STOP");
        if (mo is null)
        {
            return 1;
        }

        await using var callback = await ReplyCallback.StartAsync(gate, [WebhookEventType.MoReply, WebhookEventType.OptOut], options.WebhookBatch, cancellationToken);
        var acks = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        mo.Acknowledged = (id, ticks) => acks[id] = ticks;
        Console.Error.WriteLine($"webhook: {rps:0} STOP/s for {options.Duration.TotalSeconds:0} s after {options.Warmup.TotalSeconds:0} s warm-up, receiver {callback.Receiver.Url}");
        var settings = RunSettings.From("webhook", options) with { Concurrency = options.Concurrency * options.InFlight, Rps = rps };
        var started = Stopwatch.GetTimestamp();
        var run = await RunLoop.RunAsync(settings, mo.Call, cancellationToken);
        var (measureFrom, _) = settings.Window(started);

        // The acknowledgements of the measured window; wait (up to -t) until the receiver has every one.
        var measured = acks.Where(a => a.Value >= measureFrom).ToList();
        var deadline = Stopwatch.GetTimestamp() + (long)(options.Timeout.TotalSeconds * Stopwatch.Frequency);
        while (measured.Any(a => !callback.Receiver.TryGetArrival(a.Key, out _)) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50, cancellationToken);
        }

        var latencies = new List<long>(measured.Count);
        var missing = 0;
        foreach (var (id, acked) in measured)
        {
            if (callback.Receiver.TryGetArrival(id, out var arrived))
            {
                latencies.Add(LatencyRecorder.ToNanos(arrived - acked));
            }
            else
            {
                missing++;
            }
        }

        latencies.Sort();
        var sortedLatencies = latencies.ToArray();
        var report = run.ToReport(options.Name.Length > 0 ? options.Name : "StreamMo STOP (acknowledgement latency)", countsRecipients: false);
        var status = await callback.StatusAsync(cancellationToken);
        Output.Print([report], options, GateClients.StreamMoName, run.EndReason);
        Console.Out.WriteLine();
        Console.Out.WriteLine("Webhook latency (MO STOP acknowledged → receiver has the event):");
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Events:       {latencies.Count} of {measured.Count} acknowledged in the measured window ({missing} missing after {options.Timeout.TotalSeconds:0} s)"));
        foreach (var p in new[] { 50, 90, 99, 99.9 })
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  p{p}:{new string(' ', 10 - p.ToString(CultureInfo.InvariantCulture).Length)}{GhzFormat.NanoUnit(LoadReport.Percentile(sortedLatencies, p))}"));
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Max:          {(latencies.Count > 0 ? GhzFormat.NanoUnit(latencies[^1]) : "-")}"));
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Receiver:     {callback.Receiver.Posts} POSTs, {callback.Receiver.Events} events, {callback.Receiver.BadSignatures} bad signatures; subscription {status?.State}, delivered up to {status?.DeliveredSequence} of {status?.CommittedSequence}"));
        return Succeeded(missing, callback.Receiver.BadSignatures, run.EndReason) ? 0 : 1;
    }

    /// <summary>
    /// The run's verdict: every acknowledged STOP's event received, every signature good, and the run not cancelled
    /// (its end reason is ghz's: "timeout" when the -z duration ran out, "normal" when -n calls were made).
    /// </summary>
    internal static bool Succeeded(int missing, long badSignatures, string endReason) =>
        missing == 0 && badSignatures == 0 && endReason != "cancel";
}
