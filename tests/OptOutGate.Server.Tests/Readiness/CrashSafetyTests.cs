using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OptOutGate.Server.Tests.Readiness;

/// <summary>
/// Crash safety: the real server, many concurrent acknowledged writes, SIGKILL at a random moment,
/// a restart on the same data folder; every acknowledged write must be there and the history must have no gap.
/// </summary>
[Collection(DamagedDataProcessesCollection.Name)]
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Clients = 8;

    [Fact]
    public async Task SigkillAtRandomAckCounts_LosesNoAcknowledgedWrite_AndLeavesNoSequenceGap()
    {
        // Four kill points, each after a random number of acknowledged recipients; the seeds make a failure repeatable.
        int[] seeds = [3101, 3102, 3103, 3104];
        // A short checkpoint interval so that kills also land during and after checkpoints (recovery = checkpoint + replay).
        var settings = new Dictionary<string, string> { ["Engine:CheckpointInterval"] = "00:00:02" };
        var acked = new ConcurrentDictionary<string, ulong>(StringComparer.Ordinal);
        var nextNumber = 0L;
        string? data = null;
        var total = Stopwatch.StartNew();

        foreach (var seed in seeds)
        {
            var random = new Random(seed);
            var killAfter = random.Next(2_500, 5_000);
            await using var gate = await GateProcess.StartAsync(settings, data);
            data = gate.DataDirectory;
            if (acked.Count > 0)
            {
                await AssertEveryAckedWriteIsPresentAsync(gate, acked);
            }

            var headBefore = await HeadAsync(gate);
            var killed = 0;
            var ackedRecipients = 0;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var firstSequence = ulong.MaxValue;
            var writers = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
            {
                var rnd = new Random(seed * 31 + client);
                using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
                var api = new GateApi(channel);
                while (Volatile.Read(ref killed) == 0)
                {
                    var count = rnd.Next(1, 11);
                    var first = Interlocked.Add(ref nextNumber, count) - count;
                    var recipients = Enumerable.Range(0, count).Select(i => Number(first + i)).ToArray();
                    AddOptOutsResponse response;
                    try
                    {
                        response = await api.AddOptOutsAsync(recipients);
                    }
                    catch (RpcException) when (Volatile.Read(ref killed) != 0)
                    {
                        // Not acknowledged: may or may not have survived.
                        return;
                    }

                    Assert.Equal(count, response.Results.Count);
                    for (var i = 0; i < count; i++)
                    {
                        var result = response.Results[i];
                        Assert.Equal(RecipientOutcome.Added, result.Outcome);
                        Assert.True(result.Sequence > headBefore, $"ack sequence {result.Sequence} not after the head {headBefore} at start");
                        Assert.True(result.Sequence <= response.Sequence);
                        acked[recipients[i]] = result.Sequence;
                        InterlockedMin(ref firstSequence, result.Sequence);
                    }

                    if (Interlocked.Add(ref ackedRecipients, count) >= killAfter)
                    {
                        reached.TrySetResult();
                    }
                }
            })).ToArray();

            var allWriters = Task.WhenAll(writers);
            var finished = await Task.WhenAny(reached.Task, allWriters, Task.Delay(TimeSpan.FromSeconds(90)));
            if (finished != reached.Task)
            {
                Volatile.Write(ref killed, 1);
                await allWriters; // Throws the writer's failure, if that is what ended the wait.
                Assert.Fail($"Only {ackedRecipients} of {killAfter} writes were acknowledged in 90 s.\n{gate.Output}");
            }

            Volatile.Write(ref killed, 1);
            gate.Kill();
            await gate.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await allWriters;

            // New writes continue right after the head the restart recovered (no sequence reused, none skipped).
            Assert.Equal(headBefore + 1, firstSequence);
            output.WriteLine($"seed {seed}: killed after {Volatile.Read(ref ackedRecipients)} acknowledged recipients (target {killAfter}); {acked.Count} acknowledged in all; {total.Elapsed.TotalSeconds:F1} s");
        }

        await using (var last = await GateProcess.StartAsync(settings, data))
        {
            await AssertEveryAckedWriteIsPresentAsync(last, acked);
        }

        Assert.True(acked.Count >= 10_000, $"only {acked.Count} acknowledged opt-outs");
        output.WriteLine($"{acked.Count} acknowledged opt-outs over {seeds.Length} kills, all present after restart; {total.Elapsed.TotalSeconds:F1} s");
    }

    private async Task AssertEveryAckedWriteIsPresentAsync(GateProcess gate, ConcurrentDictionary<string, ulong> acked)
    {
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var api = new GateApi(channel);
        var recipients = acked.Keys.ToArray();
        var (verdicts, head) = await api.CheckAllAsync(recipients);
        var missing = recipients.Where((_, i) => verdicts[i] != Verdict.BlockedOptedOut).ToArray();
        Assert.True(missing.Length == 0, $"{missing.Length} acknowledged opt-outs missing after restart, e.g. {string.Join(", ", missing.Take(5).Select(r => $"{r} (seq {acked[r]})"))}; head {head}.\n{gate.Output}");
        var maxAcked = acked.Values.Max();
        Assert.True(maxAcked <= head, $"an ack named sequence {maxAcked}, but the restarted gate's head is {head}");

        // The history is 1..head with no gap, and each acknowledged sequence is the record of its recipient.
        var history = await api.ExportHistoryAsync();
        Assert.Equal(head, (ulong)history.Count);
        for (var i = 0; i < history.Count; i++)
        {
            Assert.True(history[i].Sequence == (ulong)i + 1, $"history row {i} has sequence {history[i].Sequence}, expected {i + 1}");
        }

        foreach (var (recipient, sequence) in acked)
        {
            Assert.Equal(recipient, history[(int)sequence - 1].Recipient);
        }

        var opened = gate.Output.Split('\n').LastOrDefault(l => l.Contains("Gate engine open: checkpoint", StringComparison.Ordinal))?.Trim();
        output.WriteLine($"  restart: head {head}, {acked.Count} acknowledged present; {opened}");
    }

    private static async Task<ulong> HeadAsync(GateProcess gate)
    {
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        return await new GateApi(channel).HeadAsync();
    }

    // UK mobile numbers: +44 7410... is a block the numbering plan allows (the gate refuses numbers no plan allows).
    private static string Number(long n) => "+44" + (7_410_000_000 + n).ToString(CultureInfo.InvariantCulture);

    private static void InterlockedMin(ref ulong location, ulong value)
    {
        var current = Volatile.Read(ref location);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
