using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Http2;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;
using Grpc.Core;

namespace OptOutGate.LoadTests.Tests.Http2;

/// <summary>The direct HTTP/2 client and its open-loop run against a real Kestrel server with the project's gRPC layer.</summary>
public sealed class DirectUnaryRunTests(CheckBatchServer server) : IClassFixture<CheckBatchServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void PacedRun_AnswersEveryCall_AndReadsEveryAnswer()
    {
        // Three batches of 100, ten of each ending in 0 (opted out by the server's rule).
        var batches = Enumerable.Range(0, 3).Select(b => Batch("LOAD", 100, first: b * 1_000)).ToArray();

        var result = DirectUnaryRun.Run(new RunSettings("direct", 8, TimeSpan.Zero, 400, TimeSpan.Zero, 2_000), Target(batches), 2, Timeout, CancellationToken.None);

        Assert.Equal(400, result.Recorders.Sum(static r => r.Calls));
        Assert.Equal(400, result.Recorders.Sum(static r => r.Codes.GetValueOrDefault(StatusCode.OK)));
        Assert.Equal(40_000, result.Recorders.Sum(static r => r.Recipients));
        Assert.Equal(400, result.Recorders.Sum(static r => r.Counters.GetValueOrDefault("blocked 10")));
        Assert.All(result.Recorders, static r => Assert.True(r.Calls > 0, "both connections carry calls"));
        Assert.Contains(result.Notes!, static note => note.Label == "From the send" && note.Value.StartsWith("p50 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Timeline_RecordsEachCallWhereItSatInItsConnectionsBytes()
    {
        var batch = Batch("LOAD", 100, first: 0);
        var target = Target([batch]);
        var path = Path.GetTempFileName();
        try
        {
            DirectUnaryRun.Run(new RunSettings("direct", 4, TimeSpan.Zero, 60, TimeSpan.Zero, 1_000), target, 2, Timeout, CancellationToken.None, path);

            var calls = OptOutGate.LoadTests.Timeline.ClientTimeline.Read(path);
            Assert.Equal(60, calls.Count);
            Assert.All(calls, static c => Assert.True(
                c.Ok && c.Scheduled <= c.Woke && c.Woke <= c.Sent && c.Sent < c.ResponseRead && c.ResponseRead <= c.Ended && c.PauseAtSend <= c.PauseAtEnd,
                $"slot <= woke <= send < response read <= end: {c}"));
            Assert.Equal(2, calls.Select(static c => c.Port).Distinct().Count());

            // Each call is one HEADERS frame and one DATA frame (9-byte frame headers, the message with its 5-byte
            // gRPC prefix), so on a connection the requests end exactly that far apart; the answers end later and later.
            var requestBytes = 9 + target.HeaderBlock.Length + 9 + 5 + batch.CalculateSize();
            foreach (var connection in calls.GroupBy(static c => c.Port))
            {
                var sent = connection.OrderBy(static c => c.Sent).ToList();
                Assert.Equal(Enumerable.Range(0, sent.Count).Select(static i => (2 * i) + 1), sent.Select(static c => c.StreamId));
                Assert.All(sent.Zip(sent.Skip(1)), pair => Assert.Equal(requestBytes, pair.Second.RequestBytes - pair.First.RequestBytes));
                var ended = connection.OrderBy(static c => c.Ended).Select(static c => c.ResponseBytes).ToList();
                Assert.Equal(ended.Order(), ended);
                Assert.Equal(ended.Count, ended.Distinct().Count());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ErrorStatus_IsRecordedWithItsMessageDecoded()
    {
        var result = DirectUnaryRun.Run(new RunSettings("direct", 4, TimeSpan.Zero, 5, TimeSpan.Zero, 500), Target([Batch("FAIL", 10, 0)]), 1, Timeout, CancellationToken.None);

        var recorder = Assert.Single(result.Recorders);
        Assert.Equal(5, recorder.Codes.GetValueOrDefault(StatusCode.FailedPrecondition));
        var error = Assert.Single(recorder.Errors);
        Assert.Equal("rpc error: code = FailedPrecondition desc = " + CheckBatchServer.FailureMessage, error.Key);
    }

    [Fact]
    public void LargeMessages_WaitForFlowControlWindowsAndSpanManyFrames()
    {
        // About 2.2 MB per request: more than the stream window the project gives Kestrel (1 MiB, ConfigureRpcDefaults),
        // so the client must wait for WINDOW_UPDATE; the 150,000-verdict answer spans ten DATA frames.
        var result = DirectUnaryRun.Run(new RunSettings("direct", 2, TimeSpan.Zero, 3, TimeSpan.Zero, 50), Target([Batch("LOAD", 150_000, 0)]), 1, Timeout, CancellationToken.None);

        var recorder = Assert.Single(result.Recorders);
        Assert.True(recorder.Codes.GetValueOrDefault(StatusCode.OK) == 3, string.Join("; ", recorder.Errors.Keys));
        Assert.Equal(450_000, recorder.Recipients);
        Assert.Equal(3, recorder.Counters.GetValueOrDefault("blocked 15000"));
    }

    [Fact]
    public async Task Connect_ToAServerThatDoesNotSpeakHttp2_FailsWithTheReason()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var answer = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await client.GetStream().WriteAsync("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"u8.ToArray());
        });

        var error = Assert.Throws<IOException>(() => Http2Connection.Connect("127.0.0.1", port, Timeout));
        Assert.Contains("HTTP/2 protocol error", error.Message, StringComparison.Ordinal);
        await answer;
    }

    private DirectUnaryTarget Target(CheckBatchRequest[] batches) => new(
        server.Address.Host,
        server.Address.Port,
        RequestHeaderBlock.Encode(server.Address.Authority, "/optoutgate.v1.Gate/CheckBatch", []),
        [.. batches.Select(static batch => batch.ToByteArray())],
        static message =>
        {
            var tally = CheckBatchTally.Decode(message);
            return new CallResult(tally.Verdicts, "blocked " + tally.Counts!.BlockedOptedOut.ToString(CultureInfo.InvariantCulture));
        });

    private static CheckBatchRequest Batch(string sender, int recipients, int first)
    {
        var request = new CheckBatchRequest { Sender = sender, SmsType = SmsType.Marketing };
        request.Recipients.Add(Enumerable.Range(first, recipients).Select(static n => "+1415" + n.ToString("D7", CultureInfo.InvariantCulture)));
        return request;
    }
}
