using OptOutGate.Contracts.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>CSV exports stream in chunks of at most 64 KiB as rows are produced.</summary>
public sealed class AdminExportTests
{
    private const string Sender = "+18005550100";

    [Fact]
    public async Task ExportOf100kEntriesAndHistory_StreamsEveryRow_InBoundedChunks()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var admin = new AdminClient(channel, null);
        for (var call = 0; call < 10; call++)
        {
            var request = new AddOptOutsRequest { Sender = Sender, Reason = "import, \"quoted\"" };
            request.Recipients.AddRange(Enumerable.Range(call * 10_000, 10_000).Select(i => "+1415" + (5_000_000 + i)));
            await admin.CallAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", request);
        }

        var entries = await admin.ExportAsync("ExportEntries", new ExportEntriesRequest { Filter = new EntryFilter { Kind = EntryKind.OptOut } });
        var history = await admin.ExportAsync("ExportHistory", new ExportHistoryRequest());

        var lines = entries.Lines;
        Assert.Equal("kind,scope,sender,recipient,app,sms_types,source,reason,update_time,sequence,carrier_message_id,actor_key_id,country", lines[0]);
        Assert.Equal(100_001, lines.Length);
        Assert.StartsWith("OPT_OUT,SENDER,+18005550100,+1415", lines[1], StringComparison.Ordinal);
        Assert.Contains(",API,\"import, \"\"quoted\"\"\",", lines[1], StringComparison.Ordinal);
        Assert.Equal(100_000, lines.Skip(1).Select(l => l.Split(',')[3]).Distinct().Count());
        AssertStreamed(entries);

        Assert.Equal(100_001, history.Lines.Length);
        Assert.StartsWith("sequence,event_time,receive_time,sender,recipient", history.Lines[0], StringComparison.Ordinal);
        Assert.StartsWith("1,", history.Lines[1], StringComparison.Ordinal);
        Assert.StartsWith("100000,", history.Lines[^1], StringComparison.Ordinal);
        AssertStreamed(history);
    }

    private static void AssertStreamed(CsvExport export)
    {
        // Bounded memory on the server: the document arrives as many chunks of at most 64 KiB, produced as rows are read,
        // not as one buffer at the end; every chunk names the same sequence.
        Assert.True(export.ChunkSizes.Count >= 50, $"{export.ChunkSizes.Count} chunks");
        Assert.All(export.ChunkSizes, size => Assert.InRange(size, 1, 64 * 1024));
        Assert.Single(export.Sequences);
        Assert.True(export.ArrivalsMs[0] < export.TotalMs, "the first chunk arrived only at the end");
    }
}
