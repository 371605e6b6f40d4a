using Grpc.Core;
using OptOutGate.Contracts.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Mo;

/// <summary>StreamMo, duplicates (also across a restart), out-of-order carrier times, and crash safety (SIGKILL mid-stream).</summary>
[Collection(MoProcessesCollection.Name)]
public sealed class MoStreamTests
{
    [Fact]
    public async Task StreamMo_AnswersEveryMessageByCarrierId_WithErrorResultsForBadOnes_AndTheStreamGoesOn()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();

        var messages = new List<StreamMoRequest>();
        for (var i = 0; i < 300; i++)
        {
            var text = (i % 3) switch { 0 => "STOP", 1 => "HELP", _ => "hello there" };
            messages.Add(new StreamMoRequest { Message = MoClient.Message("+1415556" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), text, "s" + i, i) });
        }

        messages.Insert(10, new StreamMoRequest { Message = MoClient.Message("not-a-number", "STOP", "bad-from") });
        messages.Insert(20, new StreamMoRequest { Message = MoClient.Message("+14155557777", "STOP", "bad-address", to: "unknown") });
        messages.Insert(30, new StreamMoRequest());
        var results = await StreamAsync(channel, messages);

        Assert.Equal(messages.Count, results.Count);
        var byId = results.Where(r => r.CarrierMessageId.Length != 0).ToDictionary(r => r.CarrierMessageId);
        Assert.Equal(messages.Count - 1, byId.Count);
        Assert.Equal(3, byId["bad-from"].Error.Code);
        Assert.Contains("from_number", byId["bad-from"].Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-number", byId["bad-from"].Error.Message, StringComparison.Ordinal);
        Assert.Equal(5, byId["bad-address"].Error.Code);
        Assert.Equal(MoAction.Unspecified, byId["bad-address"].Action);
        Assert.Single(results, r => r.CarrierMessageId.Length == 0 && r.Error?.Code == 3);
        for (var i = 0; i < 300; i++)
        {
            var result = byId["s" + i];
            Assert.Null(result.Error);
            Assert.Equal((i % 3) switch { 0 => MoAction.OptedOut, 1 => MoAction.Help, _ => MoAction.None }, result.Action);
            Assert.Equal(i % 3 == 0, result.Sequence > 0);
        }

        Assert.Empty(await mo.HistoryAsync("+14155557777"));
    }

    [Fact]
    public async Task Duplicates_ByCarrierIdOrContent_AreDetected_AlsoAfterARestart_AndChangeNothing()
    {
        var data = Directory.CreateTempSubdirectory("optoutgate-mo-dup-").FullName;
        ulong stopSequence;
        const string r = "+14155550130";
        await using (var gate = await GateProcess.StartAsync(dataDirectory: data))
        {
            using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
            var mo = new MoClient(channel);
            await mo.PutAddressAsync();
            var stop = await mo.RecordAsync(MoClient.Message(r, "STOP", "d1", 1));
            stopSequence = stop.Sequence;
            var byId = await mo.RecordAsync(MoClient.Message(r, "STOP", "d1", 1));
            Assert.Equal(MoAction.Duplicate, byId.Action);
            Assert.Equal(stopSequence, byId.Sequence);
            Assert.Equal("", byId.ReplyText);

            // Same from, to, text and carrier time under another id: the carrier retried without a stable id.
            var byContent = await mo.RecordAsync(MoClient.Message(r, "STOP", "d1-retry", 1));
            Assert.Equal(MoAction.Duplicate, byContent.Action);
            Assert.Equal(stopSequence, byContent.Sequence);

            var help = await mo.RecordAsync(MoClient.Message(r, "HELP", "d2", 2));
            Assert.Equal(MoAction.Help, help.Action);
            Assert.Equal(MoAction.Duplicate, (await mo.RecordAsync(MoClient.Message(r, "HELP", "d2", 2))).Action);

            var ambiguous = await mo.RecordAsync(MoClient.Message(r, "cancel my order", "d3", 3));
            Assert.Equal(MoAction.Ambiguous, ambiguous.Action);
            gate.Terminate();
            await gate.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await using (var gate = await GateProcess.StartAsync(dataDirectory: data))
        {
            using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
            var mo = new MoClient(channel);
            var afterRestart = await mo.RecordAsync(MoClient.Message(r, "STOP", "d1", 1));
            Assert.Equal(MoAction.Duplicate, afterRestart.Action);
            Assert.Equal(stopSequence, afterRestart.Sequence);
            Assert.Equal(MoAction.Duplicate, (await mo.RecordAsync(MoClient.Message(r, "STOP", "d1-other", 1))).Action);
            Assert.Equal(MoAction.Duplicate, (await mo.RecordAsync(MoClient.Message(r, "cancel my order", "d3", 3))).Action);
            Assert.Equal([ChangeAction.OptOut, ChangeAction.ConfirmationSent, ChangeAction.Ambiguous], (await mo.HistoryAsync(r)).Select(h => h.Action));
        }

        // And after a SIGKILL (no final snapshot): the ledger is rebuilt from the log.
        await using (var gate = await GateProcess.StartAsync(dataDirectory: data))
        {
            using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
            var mo = new MoClient(channel);
            var stop2 = await mo.RecordAsync(MoClient.Message("+14155550131", "STOP", "d4", 4));
            Assert.Equal(MoAction.OptedOut, stop2.Action);
            gate.Kill();
            await gate.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await using (var gate = await GateProcess.StartAsync(dataDirectory: data))
        {
            using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
            var mo = new MoClient(channel);
            Assert.Equal(MoAction.Duplicate, (await mo.RecordAsync(MoClient.Message("+14155550131", "STOP", "d4", 4))).Action);
            Assert.Equal(MoAction.Duplicate, (await mo.RecordAsync(MoClient.Message(r, "STOP", "d1", 1))).Action);
        }
    }

    [Fact]
    public async Task StopAndStart_OutOfOrder_EndInTheStateOfTheLaterCarrierTime_BothInTheHistory()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();

        // START (t=20) arrives first for a recipient who had opted out at t=0; then the late STOP (t=10).
        const string a = "+14155550140";
        await mo.RecordAsync(MoClient.Message(a, "STOP", "o0", 0));
        var start = await mo.RecordAsync(MoClient.Message(a, "START", "o2", 20));
        Assert.Equal(MoAction.OptedIn, start.Action);
        var lateStop = await mo.RecordAsync(MoClient.Message(a, "STOP", "o1", 10));
        Assert.Equal(MoAction.Superseded, lateStop.Action);
        Assert.Equal(start.Sequence, lateStop.SupersededBySequence);
        Assert.Equal("", lateStop.ReplyText);
        Assert.True(lateStop.Sequence > start.Sequence);
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync(a, SmsType.Marketing));
        var history = await mo.HistoryAsync(a);
        Assert.Contains(history, h => h.CarrierMessageId == "o1" && h.Action == ChangeAction.OptOut && h.MoText == "STOP" && h.KeywordEffect == KeywordEffect.Superseded);
        Assert.Contains(history, h => h.CarrierMessageId == "o2" && h.Action == ChangeAction.OptIn && h.MoText == "START");

        // STOP (t=20) first, then a late START (t=10): stays opted out.
        const string b = "+14155550141";
        var stopB = await mo.RecordAsync(MoClient.Message(b, "STOP", "p2", 20));
        var lateStart = await mo.RecordAsync(MoClient.Message(b, "START", "p1", 10));
        Assert.Equal(MoAction.Superseded, lateStart.Action);
        Assert.Equal(stopB.Sequence, lateStart.SupersededBySequence);
        Assert.Equal("", lateStart.ReplyText);
        Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync(b, SmsType.Marketing));
        var historyB = await mo.HistoryAsync(b);
        Assert.Contains(historyB, h => h.CarrierMessageId == "p1" && h.Action == ChangeAction.OptIn && h.KeywordEffect == KeywordEffect.Superseded);
    }

    [Fact]
    public async Task CrashDuringAStream_EveryAcknowledgedMoSurvives_AndResendingGivesNoDoubleChanges()
    {
        var data = Directory.CreateTempSubdirectory("optoutgate-mo-crash-").FullName;
        const int count = 3000;
        var acknowledged = new Dictionary<string, MoResult>();
        static string Recipient(int i) => "+1415557" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
        await using (var gate = await GateProcess.StartAsync(dataDirectory: data))
        {
            using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
            var mo = new MoClient(channel);
            await mo.PutAddressAsync();
            using var call = new MoRpcClient(channel).StreamMo(MoClient.Deadline(120));
            var reader = Task.Run(async () =>
            {
                try
                {
                    while (await call.ResponseStream.MoveNext())
                    {
                        var result = call.ResponseStream.Current.Result;
                        lock (acknowledged)
                        {
                            acknowledged[result.CarrierMessageId] = result;
                            if (acknowledged.Count == count / 3)
                            {
                                gate.Kill();
                            }
                        }
                    }
                }
                catch (RpcException)
                {
                    // The server died mid-stream.
                }
            });
            try
            {
                for (var i = 0; i < count; i++)
                {
                    await call.RequestStream.WriteAsync(new StreamMoRequest { Message = MoClient.Message(Recipient(i), "STOP", "x" + i, i) });
                }
            }
            catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
            {
                // The server died mid-stream.
            }

            await reader;
            await gate.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.InRange(acknowledged.Count, count / 3, count - 1);
        await using (var gate = await GateProcess.StartAsync(dataDirectory: data))
        {
            using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
            var mo = new MoClient(channel);
            foreach (var (id, result) in acknowledged.Take(200))
            {
                Assert.Equal(MoAction.OptedOut, result.Action);
                var i = int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync(Recipient(i), SmsType.Marketing));
            }

            // The carrier resends everything it has no result for, and (to be sure) everything else too.
            var resend = Enumerable.Range(0, count).Select(i => new StreamMoRequest { Message = MoClient.Message(Recipient(i), "STOP", "x" + i, i) }).ToList();
            var results = (await StreamAsync(channel, resend)).ToDictionary(r => r.CarrierMessageId);
            Assert.Equal(count, results.Count);
            foreach (var id in acknowledged.Keys)
            {
                Assert.Equal(MoAction.Duplicate, results[id].Action);
                Assert.Equal(acknowledged[id].Sequence, results[id].Sequence);
            }

            Assert.All(results.Values, r => Assert.True(r.Action is MoAction.Duplicate or MoAction.OptedOut, r.ToString()));
            foreach (var i in new[] { 0, count / 2, count - 1 })
            {
                var history = await mo.HistoryAsync(Recipient(i));
                Assert.Single(history, h => h.Action == ChangeAction.OptOut);
            }
        }
    }

    internal static async Task<List<MoResult>> StreamAsync(GrpcChannel channel, IReadOnlyList<StreamMoRequest> messages)
    {
        using var call = new MoRpcClient(channel).StreamMo(MoClient.Deadline(120));
        var results = new List<MoResult>();
        var reader = Task.Run(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
                results.Add(call.ResponseStream.Current.Result);
            }
        });
        foreach (var message in messages)
        {
            await call.RequestStream.WriteAsync(message);
        }

        await call.RequestStream.CompleteAsync();
        await reader;
        return results;
    }
}
