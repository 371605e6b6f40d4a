using OptOutGate.Contracts.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Readiness;

/// <summary>
/// Damage a crash cannot make but a disk, a restore or an operator can, in the change log of a data folder made by the
/// real server (<see cref="DamagedFolder"/>), started on by the real server: it must refuse to serve (health
/// NOT_SERVING, every call UNAVAILABLE, the log naming the file, the place and what to do) and give no sequence number,
/// and only an explicit Engine:CutLogAtSequence cuts the log, without ever giving a number twice.
/// </summary>
[Collection(DamagedDataProcessesCollection.Name)]
public sealed class DamagedLogTests
{
    private const int Written = 3_000;

    [Fact]
    public async Task ByteFlippedMidLog_NoCheckpoint_Refuses_ThenTheOperatorCut_KeepsWhatIsBefore_AndNeverGivesANumberTwice()
    {
        var folder = await DamagedFolder.BuildAsync(Written, cleanStop: false);
        var data = LogSegment.CopyFolder(folder.DataDirectory);
        var segment = LogSegment.FirstSegment(data);
        var records = LogSegment.ReadRecords(segment);
        Assert.Equal(Written, records.Count);
        LogSegment.FlipPayloadByte(segment, records[1499]);
        var damaged = await File.ReadAllBytesAsync(segment);

        await using (var refusing = await Refusal.StartRefusingAsync(data))
        {
            await Refusal.AssertRefusingAsync(
                refusing,
                "The change log is damaged inside its committed range (bad checksum at address " + records[1499].Offset,
                "the records from sequence 1500 on cannot be read, from byte " + records[1499].Offset + " of " + segment,
                "Re-seed this node from a healthy replica or primary",
                "Engine:CutLogAtSequence=1500");
        }

        // Refusing wrote nothing: no sequence was given.
        Assert.Equal(damaged, await File.ReadAllBytesAsync(segment));

        var cut = new Dictionary<string, string> { ["Engine:CutLogAtSequence"] = "1500" };
        await using (var gate = await GateProcess.StartAsync(cut, data))
        {
            Assert.Contains("The change log was cut at sequence 1500 as Engine:CutLogAtSequence asked: records 1500..3000 are lost on this node", gate.Output, StringComparison.Ordinal);
            var (recipients, verdicts) = await folder.CheckAllAsync(gate);
            for (var i = 0; i < recipients.Length; i++)
            {
                // The operator chose to lose 1500 on: those answer from what is left, the rest as acknowledged.
                Assert.True((i < 1499 ? Verdict.BlockedOptedOut : Verdict.Allowed) == verdicts[i], $"sequence {i + 1}: {verdicts[i]}");
            }

            using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
            var api = new GateApi(channel);
            var next = await api.AddOptOutsAsync([DamagedFolder.Recipient(Written + 1)]);
            Assert.Equal((ulong)Written + 1, next.Sequence);
            var history = await api.ExportHistoryAsync();
            Assert.Equal(Enumerable.Range(1, 1499).Select(s => (ulong)s).Append((ulong)Written + 1), history.Select(r => r.Sequence));
            var kept = Assert.Single(Directory.GetDirectories(Path.Combine(data, "log"), "cut-*"));
            Assert.Equal(damaged, await File.ReadAllBytesAsync(Path.Combine(kept, "changes.log.0")));
        }

        // The setting left in place cuts nothing more.
        await using (var again = await GateProcess.StartAsync(cut, data))
        {
            Assert.Contains("Engine:CutLogAtSequence=1500 is set, but record 1500 of the change log is readable: nothing was cut", again.Output, StringComparison.Ordinal);
            using var channel = GrpcChannel.ForAddress(again.GrpcAddress);
            Assert.Equal((ulong)Written + 1, await new GateApi(channel).HeadAsync());
            Assert.Single(Directory.GetDirectories(Path.Combine(data, "log"), "cut-*"));
        }
    }

    public enum LastRecordDamage
    {
        /// <summary>The file ends in the middle of the last record.</summary>
        CutMidRecord,

        /// <summary>The file ends a few bytes before the committed end (the last sector never reached the disk).</summary>
        CutLastBytes,

        /// <summary>The last record's bytes are garbage, the file's length unchanged.</summary>
        GarbageInLastRecord,
    }

    [Theory]
    [InlineData(LastRecordDamage.CutMidRecord)]
    [InlineData(LastRecordDamage.CutLastBytes)]
    [InlineData(LastRecordDamage.GarbageInLastRecord)]
    public async Task DamagedLastRecord_IsNotTakenForATornTail_Refuses_AndACutGoesOnAfterItsNumber(LastRecordDamage damage)
    {
        const int written = 120;
        var folder = await DamagedFolder.BuildAsync(written, cleanStop: false);
        var data = folder.DataDirectory;
        var segment = LogSegment.FirstSegment(data);
        var last = LogSegment.ReadRecords(segment)[^1];
        Assert.Equal((ulong)written, last.Sequence);
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            switch (damage)
            {
                case LastRecordDamage.CutMidRecord:
                    file.SetLength(last.Offset + LogSegment.EntryHeader + (last.Length / 2));
                    break;
                case LastRecordDamage.CutLastBytes:
                    file.SetLength(last.Offset + LogSegment.EntryHeader + last.Length - 3);
                    break;
                default:
                    file.Position = last.Offset + LogSegment.EntryHeader + 16;
                    file.Write(Enumerable.Repeat((byte)0xA5, last.Length - 24).ToArray());
                    break;
            }
        }

        await using (var refusing = await Refusal.StartRefusingAsync(data))
        {
            // The last record was acknowledged: cutting it quietly would answer ALLOWED for an opt-out.
            await Refusal.AssertRefusingAsync(refusing, "the records from sequence 120 on cannot be read", "Engine:CutLogAtSequence=120");
        }

        await using var gate = await GateProcess.StartAsync(new Dictionary<string, string> { ["Engine:CutLogAtSequence"] = "120" }, data);
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var api = new GateApi(channel);
        var (_, verdicts) = await folder.CheckAllAsync(gate);
        Assert.All(verdicts.Take(written - 1), v => Assert.Equal(Verdict.BlockedOptedOut, v));
        var next = await api.AddOptOutsAsync([folder.RecipientBySequence[written]]);
        Assert.Equal((ulong)written + 1, next.Sequence);
    }
}
