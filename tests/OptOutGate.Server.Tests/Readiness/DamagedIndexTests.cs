using OptOutGate.Contracts.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Readiness;

/// <summary>
/// A short or changed index file (the entry index's log, its hash index checkpoint) in a data folder made by the real
/// server, started on by the real server: the checkpoint fails its checksums, the index is rebuilt from the change log
/// (whole), and every acknowledged opt-out answers as before: BLOCKED by CheckBatch, PRESENT by CheckOptOuts. Before,
/// a cut index log answered ALLOWED and NOT_PRESENT for a third of them, with nothing logged.
/// </summary>
[Collection(DamagedIndexProcessesCollection.Name)]
public sealed class DamagedIndexTests
{
    private const int Written = 3_000;

    public enum Damage
    {
        IndexLogCutShort,
        HashIndexByteFlipped,
    }

    [Theory]
    [InlineData(Damage.IndexLogCutShort)]
    [InlineData(Damage.HashIndexByteFlipped)]
    public async Task DamagedIndexFile_IsNoticed_AndTheIndexIsRebuiltFromTheLog_EveryOptOutStillBlocks(Damage damage)
    {
        var folder = await DamagedFolder.BuildAsync(Written, cleanStop: true);
        var data = LogSegment.CopyFolder(folder.DataDirectory);
        string damaged;
        if (damage == Damage.IndexLogCutShort)
        {
            damaged = Path.Combine(data, "index", "log", "entries.log.0");
            using var file = new FileStream(damaged, FileMode.Open, FileAccess.Write);
            file.SetLength(file.Length / 3);
        }
        else
        {
            damaged = Directory.GetFiles(Path.Combine(data, "index", "checkpoints", "index-checkpoints"), "ht.dat*", SearchOption.AllDirectories).Single();
            using var file = new FileStream(damaged, FileMode.Open, FileAccess.ReadWrite);

            // A bucket byte in the middle of the hash table: some keys' chains would start nowhere.
            var bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            var at = Array.FindIndex(bytes, (int)(bytes.Length / 2), b => b != 0);
            Assert.True(at > 0, "the hash index holds no entry past its middle");
            file.Position = at;
            file.WriteByte((byte)(bytes[at] ^ 0x40));
        }

        await using var gate = await GateProcess.StartAsync(dataDirectory: data);

        Assert.Contains($"The checkpoint at sequence {Written} ({Path.Combine(data, "checkpoints", Written.ToString(System.Globalization.CultureInfo.InvariantCulture))}) is damaged: {damaged}", gate.Output, StringComparison.Ordinal);
        Assert.Contains("No usable checkpoint; replaying the whole change log.", gate.Output, StringComparison.Ordinal);
        var (recipients, verdicts) = await folder.CheckAllAsync(gate);
        Assert.All(verdicts, v => Assert.Equal(Verdict.BlockedOptedOut, v));

        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var api = new GateApi(channel);
        for (var start = 0; start < recipients.Length; start += 1_000)
        {
            var present = await api.CallAsync<CheckOptOutsRequest, CheckOptOutsResponse>(
                "CheckOptOuts", new CheckOptOutsRequest { Sender = GateApi.Sender, Recipients = { recipients.Skip(start).Take(1_000) } });
            Assert.All(present.Results, r => Assert.Equal(RecipientOutcome.Present, r.Outcome));
        }

        // Writes go on after the last acknowledged sequence.
        var next = await api.AddOptOutsAsync([DamagedFolder.Recipient(Written + 1)]);
        Assert.Equal((ulong)Written + 1, next.Sequence);
    }
}
