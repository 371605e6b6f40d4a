using System.Diagnostics;
using System.Globalization;
using OptOutGate.Contracts.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OptOutGate.Server.Tests.Readiness;

/// <summary>A restart with 1 million entries: every entry answers as before, after a clean stop and after SIGKILL.</summary>
[Collection(MillionEntriesCollection.Name)]
public sealed class MillionEntryRestartTests(ITestOutputHelper output)
{
    private const int Entries = 1_000_000;
    private const int AfterCheckpoint = 100_000;
    private const int PerCall = 10_000;
    private const int Parallel = 4;

    [Fact]
    public async Task OneMillionOptOuts_AnswerAsBefore_AfterSigtermRestart_AndAfterSigkillRestart()
    {
        var added = Enumerable.Range(0, Entries + AfterCheckpoint).Select(i => "+44" + (7_400_000_000L + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var never = Enumerable.Range(0, PerCall).Select(i => "+44" + (7_430_000_000L + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        string data;
        var clock = Stopwatch.StartNew();

        await using (var first = await GateProcess.StartAsync())
        {
            data = first.DataDirectory;
            using var channel = GrpcChannel.ForAddress(first.GrpcAddress);
            var api = new GateApi(channel);
            clock.Restart();
            await LoadAsync(api, added.AsMemory(0, Entries));
            output.WriteLine($"load: {Entries:N0} opt-outs in {clock.Elapsed.TotalSeconds:F1} s ({Entries / clock.Elapsed.TotalSeconds:N0}/s), {PerCall:N0} per call, {Parallel} calls in parallel");
            await AssertAnswersAsync(api, added.AsMemory(0, Entries), never, "before restart");

            clock.Restart();
            first.Terminate();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(120));
            Assert.Equal(0, first.ExitCode);
            output.WriteLine($"SIGTERM → exit (checkpoint at shutdown): {clock.Elapsed.TotalSeconds:F1} s");
        }

        await using (var second = await StartTimedAsync(data, "restart after SIGTERM"))
        {
            Assert.Contains($"checkpoint at sequence {Entries}, replayed 0 records", second.Output, StringComparison.Ordinal);
            using var channel = GrpcChannel.ForAddress(second.GrpcAddress);
            var api = new GateApi(channel);
            await AssertAnswersAsync(api, added.AsMemory(0, Entries), never, "after SIGTERM restart");

            // More entries after the shutdown checkpoint, then a crash: the next start replays them from the log.
            await LoadAsync(api, added.AsMemory(Entries, AfterCheckpoint));
            second.Kill();
            await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await using (var third = await StartTimedAsync(data, "restart after SIGKILL"))
        {
            using var channel = GrpcChannel.ForAddress(third.GrpcAddress);
            await AssertAnswersAsync(new GateApi(channel), added, never, "after SIGKILL restart");
        }
    }

    private async Task<GateProcess> StartTimedAsync(string data, string what)
    {
        var clock = Stopwatch.StartNew();
        var gate = await GateProcess.StartAsync(dataDirectory: data);
        var opened = gate.Output.Split('\n').LastOrDefault(l => l.Contains("Gate engine open: checkpoint", StringComparison.Ordinal))?.Trim();
        output.WriteLine($"{what}: serving {clock.Elapsed.TotalSeconds:F1} s after the process started; {opened}");
        return gate;
    }

    private static async Task LoadAsync(GateApi api, ReadOnlyMemory<string> recipients)
    {
        var next = -1;
        var calls = recipients.Length / PerCall;
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => Task.Run(async () =>
        {
            int call;
            while ((call = Interlocked.Increment(ref next)) < calls)
            {
                var slice = recipients.Slice(call * PerCall, PerCall).ToArray();
                var response = await api.AddOptOutsAsync(slice, TimeSpan.FromSeconds(120));
                Assert.All(response.Results, r => Assert.Equal(RecipientOutcome.Added, r.Outcome));
            }
        })));
    }

    private async Task AssertAnswersAsync(GateApi api, ReadOnlyMemory<string> added, string[] never, string when)
    {
        var clock = Stopwatch.StartNew();
        var (verdicts, head) = await api.CheckAllAsync(added.ToArray());
        var blocked = verdicts.Count(v => v == Verdict.BlockedOptedOut);
        Assert.True(blocked == added.Length, $"{when}: {added.Length - blocked:N0} of {added.Length:N0} opt-outs not BLOCKED_OPTED_OUT");
        Assert.Equal((ulong)added.Length, head);
        var (allowed, _) = await api.CheckAllAsync(never);
        Assert.All(allowed, v => Assert.Equal(Verdict.Allowed, v));
        output.WriteLine($"  {when}: {added.Length:N0} BLOCKED_OPTED_OUT and {never.Length:N0} ALLOWED checked in {clock.Elapsed.TotalSeconds:F1} s; head {head}");
    }
}
