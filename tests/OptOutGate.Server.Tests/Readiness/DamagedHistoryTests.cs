using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Health.V1;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Readiness;

/// <summary>
/// Change log damage a reader finds while the real server runs. Below the newest checkpoint the checks are right (they
/// come from the verified checkpoint): the gate serves, and the reads that meet the damaged record answer DATA_LOSS
/// with its place, count it, and the background verification reports it. Above the checkpoint the records are what a
/// restart would need to rebuild the checks, so the gate also turns NOT_SERVING. Before, history, exports, the change
/// stream and lists failed with UNKNOWN "Exception was thrown by handler." while health said SERVING.
/// </summary>
[Collection(DamagedIndexProcessesCollection.Name)]
public sealed class DamagedHistoryTests
{
    private const int Written = 3_000;

    [Fact]
    public async Task ByteFlippedBelowTheCheckpoint_ChecksStayRight_ReadersMeetingItAnswerDataLoss_AndItIsCounted()
    {
        var folder = await DamagedFolder.BuildAsync(Written, cleanStop: true);
        var segment = LogSegment.FirstSegment(folder.DataDirectory);
        var damaged = LogSegment.ReadRecords(segment)[1499];
        LogSegment.FlipPayloadByte(segment, damaged);
        var recipient = folder.RecipientBySequence[1500];

        await using var gate = await GateProcess.StartAsync(dataDirectory: folder.DataDirectory);
        await gate.WaitForOutputAsync("Background verification of the change log: 3000 records (sequences 1..3000) checked", TimeSpan.FromSeconds(60));
        Assert.Contains("3000 records (sequences 1..3000) checked in", gate.Output, StringComparison.Ordinal);
        Assert.Contains(" ms, 1 damaged.", gate.Output, StringComparison.Ordinal);
        var where = $"Change log record 1500 is damaged in {segment} at byte {damaged.Offset}";
        Assert.Contains(where, gate.Output, StringComparison.Ordinal);

        var (_, verdicts) = await folder.CheckAllAsync(gate);
        Assert.All(verdicts, v => Assert.Equal(Verdict.BlockedOptedOut, v));

        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var api = new GateApi(channel);
        await AssertDataLossAsync(where, () => api.ExportHistoryAsync());
        await AssertDataLossAsync(where, () => api.CallAsync<ListHistoryRequest, ListHistoryResponse>(
            "ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Recipient = recipient } }));
        await AssertDataLossAsync(where, () => api.CallAsync<CheckAtTimeRequest, CheckAtTimeResponse>(
            "CheckAtTime", new CheckAtTimeRequest { Recipient = recipient, Sender = GateApi.Sender, SmsType = SmsType.Marketing, Time = Timestamp.FromDateTime(DateTime.UtcNow) }));
        var secondPage = await SecondPageTokenAsync(api);
        await AssertDataLossAsync(where, () => api.CallAsync<ListEntriesRequest, ListEntriesResponse>(
            "ListEntries", new ListEntriesRequest { Filter = new EntryFilter { Kind = EntryKind.OptOut }, PageSize = 1_000, PageToken = secondPage }));
        await AssertDataLossAsync(where, () => StreamChangesAsync(channel, from: 1, to: Written));

        // What does not touch the damaged record reads as before.
        var first = await api.CallAsync<ListHistoryRequest, ListHistoryResponse>(
            "ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Recipient = folder.RecipientBySequence[1] } });
        Assert.Equal(1UL, Assert.Single(first.Records).Sequence);
        Assert.Equal(1499, await StreamChangesAsync(channel, from: 1, to: 1499));

        // CheckOptOuts answers PRESENT from the index, saying why the entry's details are missing.
        var present = await api.CallAsync<CheckOptOutsRequest, CheckOptOutsResponse>(
            "CheckOptOuts", new CheckOptOutsRequest { Sender = GateApi.Sender, Recipients = { recipient } });
        Assert.Equal(RecipientOutcome.Present, present.Results[0].Outcome);
        Assert.Contains(where, present.Results[0].Message, StringComparison.Ordinal);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await Refusal.HealthAsync(channel));
        Assert.Equal(1, await DamagedRecordsCountedAsync(gate));
    }

    [Fact]
    public async Task ByteFlippedAboveTheCheckpoint_FoundByAReader_TurnsTheGateNotServing()
    {
        // Small log pages, so that the records after the checkpoint are read from the file, not from the log's memory.
        var settings = new Dictionary<string, string>
        {
            ["Engine:Log:PageSizeBits"] = "12",
            ["Engine:Log:MemorySizeBits"] = "13",
            ["Engine:Log:MaxEntryBytes"] = "2048",
        };
        var early = await DamagedFolder.BuildAsync(1_000, cleanStop: true, settings: settings);
        var folder = early.With(await DamagedFolder.BuildAsync(Written - 1_000, cleanStop: false, early.DataDirectory, settings, first: 1_000));
        var segment = LogSegment.FirstSegment(folder.DataDirectory);

        await using var gate = await GateProcess.StartAsync(settings, folder.DataDirectory);
        Assert.Contains("Gate engine open: checkpoint at sequence 1000, replayed 2000 records", gate.Output, StringComparison.Ordinal);

        // The MO ledger reads the records after its snapshot once at start: a reader too, it would find the damage
        // first (and turn the gate NOT_SERVING before the export asks).
        await gate.WaitForOutputAsync("MO ledger ready at sequence 3000", TimeSpan.FromSeconds(60));

        // The disk changes under the running gate.
        var damaged = LogSegment.ReadRecords(segment, pageSizeBits: 12)[1999];
        LogSegment.FlipPayloadByte(segment, damaged);

        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var api = new GateApi(channel);
        var where = $"Change log record 2000 is damaged in {segment} at byte {damaged.Offset}";
        await AssertDataLossAsync(where, () => api.ExportHistoryAsync());
        await gate.WaitForOutputAsync("The gate refuses to serve", TimeSpan.FromSeconds(30));
        await Refusal.AssertRefusingAsync(gate, where, "Engine:CutLogAtSequence=2000");
        Assert.Equal(1, await DamagedRecordsCountedAsync(gate));
    }

    private static async Task AssertDataLossAsync<T>(string expected, Func<Task<T>> call)
    {
        var failure = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.DataLoss, failure.StatusCode);
        Assert.Contains(expected, failure.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Re-seed this node", failure.Status.Detail, StringComparison.Ordinal);
    }

    private static async Task<string> SecondPageTokenAsync(GateApi api) =>
        (await api.CallAsync<ListEntriesRequest, ListEntriesResponse>(
            "ListEntries", new ListEntriesRequest { Filter = new EntryFilter { Kind = EntryKind.OptOut }, PageSize = 1_000 })).NextPageToken;

    private static async Task<int> StreamChangesAsync(GrpcChannel channel, ulong from, ulong to)
    {
        using var call = new ChangesRpcClient(channel).StreamChanges(new StreamChangesRequest { FromSequence = from, ToSequence = to }, deadline: DateTime.UtcNow.AddSeconds(30));
        var records = 0;
        while (await call.ResponseStream.MoveNext())
        {
            records += call.ResponseStream.Current.Records.Count;
        }

        return records;
    }

    private static async Task<int> DamagedRecordsCountedAsync(GateProcess gate)
    {
        using var http = new HttpClient();
        var body = await http.GetStringAsync(new Uri(gate.MetricsAddress));
        var line = body.Split('\n').Single(l => l.StartsWith("optoutgate_log_damaged_records_total ", StringComparison.Ordinal));
        return (int)double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }
}
