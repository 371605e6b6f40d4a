using System.Buffers.Binary;
using System.Globalization;
using OptOutGate.Contracts.V1;
using OptOutGate.Rpc.Client;
using OptOutGate.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OptOutGate.Server.Tests.Durability;

/// <summary>
/// Issue #3, "A torn-tail test truncates the log mid-record": the real server, SIGKILL, the change log's segment file
/// damaged at its last record, restart. The gate must start, serve, end its history at the last whole record without
/// a gap, and go on from the next sequence durably.
/// </summary>
[Collection(ServerTestCollection.Name)]
public sealed class TornTailTests(ITestOutputHelper output)
{
    private const int Written = 120;

    public enum Damage
    {
        /// <summary>The file ends in the middle of the last record (a write that never finished).</summary>
        CutMidRecord,

        /// <summary>The file ends a few bytes before the committed end (the last sector never reached the disk).</summary>
        CutLastBytes,

        /// <summary>The last record's bytes are garbage, the file's length unchanged (a torn sector write).</summary>
        GarbageInLastRecord,
    }

    [Theory]
    [InlineData(Damage.CutMidRecord)]
    [InlineData(Damage.CutLastBytes)]
    [InlineData(Damage.GarbageInLastRecord)]
    public async Task DamagedLastRecord_IsCut_HistoryEndsAtTheLastWholeRecord_AndWritesGoOnDurably(Damage damage)
    {
        var recipients = Enumerable.Range(0, Written + 2).Select(i => "+1303555" + (1000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        string data;
        await using (var first = await GateProcess.StartAsync())
        {
            data = first.DataDirectory;
            using var channel = GrpcChannel.ForAddress(first.GrpcAddress);
            var api = new GateApi(channel);
            for (var i = 0; i < Written; i++)
            {
                // One recipient per call: one record, one acknowledged sequence each.
                var response = await api.AddOptOutsAsync([recipients[i]]);
                Assert.Equal((ulong)i + 1, response.Sequence);
            }

            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        var segment = Path.Combine(data, "log", "active", "changes.log.0");
        var records = ReadRecords(segment);
        Assert.Equal(Written, records.Count);
        Assert.Equal((ulong)Written, records[^1].Sequence);
        var last = records[^1];
        Damage_(segment, last, damage);
        output.WriteLine($"{damage}: last record (sequence {last.Sequence}) at offset {last.Offset}, {last.Length} bytes; file now {new FileInfo(segment).Length} bytes");

        await using (var second = await GateProcess.StartAsync(dataDirectory: data))
        {
            Assert.Contains("Change log tail is torn: the last whole record is sequence " + (Written - 1), second.Output, StringComparison.Ordinal);
            Assert.Contains("Change log rewritten up to sequence " + (Written - 1), second.Output, StringComparison.Ordinal);
            Assert.Single(Directory.GetDirectories(Path.Combine(data, "log"), "torn-*"));
            using var channel = GrpcChannel.ForAddress(second.GrpcAddress);
            var api = new GateApi(channel);

            await AssertStateAsync(api, recipients, optedOut: Written - 1, head: Written - 1);

            // The cut record's recipient is not opted out any more; writing continues from the next sequence.
            var again = await api.AddOptOutsAsync([recipients[Written - 1]]);
            Assert.Equal(RecipientOutcome.Added, again.Results[0].Outcome);
            Assert.Equal((ulong)Written, again.Sequence);
            var more = await api.AddOptOutsAsync([recipients[Written], recipients[Written + 1]]);
            Assert.Equal((ulong)Written + 2, more.Sequence);
            second.Kill();
            await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await using (var third = await GateProcess.StartAsync(dataDirectory: data))
        {
            Assert.DoesNotContain("torn", third.Output, StringComparison.OrdinalIgnoreCase);
            using var channel = GrpcChannel.ForAddress(third.GrpcAddress);
            await AssertStateAsync(new GateApi(channel), recipients, optedOut: Written + 2, head: Written + 2);
        }
    }

    private static async Task AssertStateAsync(GateApi api, string[] recipients, int optedOut, int head)
    {
        var (verdicts, sequence) = await api.CheckAllAsync(recipients);
        Assert.Equal((ulong)head, sequence);
        for (var i = 0; i < recipients.Length; i++)
        {
            Assert.True((i < optedOut ? Verdict.BlockedOptedOut : Verdict.Allowed) == verdicts[i], $"recipient {i}: {verdicts[i]}");
        }

        var history = await api.ExportHistoryAsync();
        Assert.Equal(Enumerable.Range(1, head).Select(s => (ulong)s), history.Select(r => r.Sequence));
        Assert.Equal(recipients.Take(head), history.Select(r => r.Recipient));
    }

    private static void Damage_(string segment, Record last, Damage damage)
    {
        using var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite);
        switch (damage)
        {
            case Damage.CutMidRecord:
                file.SetLength(last.Offset + FasterLogHeader + (last.Length / 2));
                break;
            case Damage.CutLastBytes:
                file.SetLength(last.Offset + FasterLogHeader + last.Length - 3);
                break;
            default:
                // Keep the length word (FasterLog's framing) and the CRC; overwrite the middle of the payload.
                file.Position = last.Offset + FasterLogHeader + 16;
                file.Write(Enumerable.Repeat((byte)0xA5, last.Length - 24).ToArray());
                break;
        }

        file.Flush(flushToDisk: true);
    }

    /// <summary>FasterLog's entry header without its optional checksum: the payload length (int32).</summary>
    private const int FasterLogHeader = 4;

    /// <summary>FasterLog's first address (segment 0 is addressed from its file offset 0; records start at 64).</summary>
    private const int FirstAddress = 64;

    private sealed record Record(long Offset, int Length, ulong Sequence);

    /// <summary>
    /// The records of the first segment file, by FasterLog's layout: at each 4-byte-aligned address an int32 length and
    /// that many bytes of our frame (CRC-32C, sequence, LogEntry); zero length ends the written part of a page. The
    /// sequence read from each frame checks that the layout is what this test thinks it is.
    /// </summary>
    private static List<Record> ReadRecords(string segment)
    {
        var bytes = File.ReadAllBytes(segment);
        var records = new List<Record>();
        var offset = (long)FirstAddress;
        while (offset + FasterLogHeader <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)offset));
            if (length <= 0)
            {
                break;
            }

            var sequence = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)offset + FasterLogHeader + 4));
            Assert.Equal((ulong)records.Count + 1, sequence);
            records.Add(new Record(offset, length, sequence));
            offset += FasterLogHeader + ((length + 3) & ~3);
        }

        return records;
    }
}
