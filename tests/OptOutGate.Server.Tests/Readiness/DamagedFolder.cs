using System.Collections.Concurrent;
using System.Globalization;
using OptOutGate.Contracts.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Readiness;

/// <summary>
/// A data folder made by the real server: opt-outs written one per call (each an acknowledged record with its own
/// sequence), then the server stopped by SIGTERM (a checkpoint and the sequence map saved) or SIGKILL (neither).
/// Tests damage a copy of it: a folder of the same writes and stop is built once per test run and copied for each
/// test (a build is a server start and thousands of acknowledged writes; a copy is a few hundred kilobytes).
/// </summary>
public sealed class DamagedFolder
{
    private DamagedFolder(string dataDirectory, IReadOnlyDictionary<ulong, string> recipientBySequence)
    {
        DataDirectory = dataDirectory;
        RecipientBySequence = recipientBySequence;
    }

    public string DataDirectory { get; }

    /// <summary>The recipient each acknowledged sequence opted out.</summary>
    public IReadOnlyDictionary<ulong, string> RecipientBySequence { get; }

    public ulong LastSequence => RecipientBySequence.Keys.Max();

    public static string Recipient(int i) => "+1" + (4_152_000_000L + i).ToString(CultureInfo.InvariantCulture);

    private static readonly ConcurrentDictionary<(int Count, bool CleanStop, int First), Lazy<Task<DamagedFolder>>> s_templates = new();

    /// <summary>
    /// Writes <paramref name="count"/> opt-outs (recipients from <paramref name="first"/>) and stops the server; into a
    /// new folder (a copy of the run's template for these writes) unless <paramref name="dataDirectory"/> names one.
    /// </summary>
    public static async Task<DamagedFolder> BuildAsync(int count, bool cleanStop, string? dataDirectory = null, IDictionary<string, string>? settings = null, int first = 0)
    {
        if (dataDirectory is not null || settings is not null)
        {
            return await WriteAsync(count, cleanStop, dataDirectory, settings, first);
        }

        var template = await s_templates.GetOrAdd((count, cleanStop, first), key => new Lazy<Task<DamagedFolder>>(() => WriteAsync(key.Count, key.CleanStop, null, null, key.First))).Value;
        return new DamagedFolder(LogSegment.CopyFolder(template.DataDirectory), template.RecipientBySequence);
    }

    private static async Task<DamagedFolder> WriteAsync(int count, bool cleanStop, string? dataDirectory, IDictionary<string, string>? settings, int first)
    {
        var bySequence = new ConcurrentDictionary<ulong, string>();
        await using var gate = await GateProcess.StartAsync(settings, dataDirectory);
        using (var channel = GrpcChannel.ForAddress(gate.GrpcAddress))
        {
            var api = new GateApi(channel);
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var recipient = Recipient(first + i);
                    var response = await api.AddOptOutsAsync([recipient]);
                    Assert.Equal(RecipientOutcome.Added, response.Results[0].Outcome);
                    Assert.True(bySequence.TryAdd(response.Sequence, recipient));
                }
            })));
        }

        if (cleanStop)
        {
            gate.Terminate();
            await gate.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, gate.ExitCode);
        }
        else
        {
            gate.Kill();
            await gate.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        return new DamagedFolder(gate.DataDirectory, bySequence);
    }

    /// <summary>Adds the writes of a later run on the same folder.</summary>
    public DamagedFolder With(DamagedFolder later) =>
        new(later.DataDirectory, RecipientBySequence.Concat(later.RecipientBySequence).ToDictionary(p => p.Key, p => p.Value));

    /// <summary>Recipients in sequence order, and their verdicts from a gate on some folder, in the same order.</summary>
    public async Task<(string[] Recipients, Verdict[] Verdicts)> CheckAllAsync(GateProcess gate)
    {
        var recipients = RecipientBySequence.OrderBy(p => p.Key).Select(p => p.Value).ToArray();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var (verdicts, _) = await new GateApi(channel).CheckAllAsync(recipients);
        return (recipients, verdicts);
    }
}
