using Google.Protobuf;
using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Http2;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Tests.Http2;

/// <summary>The race's CheckStream side on the direct HTTP/2 client, against a real Kestrel server with Grpc.AspNetCore.</summary>
public sealed class DirectCheckStreamsTests(CheckBatchServer server) : IClassFixture<CheckBatchServer>
{
    [Fact]
    public async Task Many_workers_on_two_connections_each_get_the_answer_to_their_own_batch()
    {
        var before = (server.StreamBatchesAnswered, server.StreamsEndedByTheClient);
        using (var streams = DirectCheckStreams.Connect(Options(connections: 2)))
        {
            // 32 workers, 40 batches each, sizes 1-120 recipients: every tenth recipient from the first ends in 0.
            var workers = Enumerable.Range(0, 32).Select(w => Task.Run(async () =>
            {
                for (var n = 0; n < 40; n++)
                {
                    var id = ((ulong)w << 40) | (ulong)n + 1;
                    var size = 1 + ((w * 41) + (n * 7)) % 120;
                    var answer = await streams.SendAsync(w % 2, new CheckStreamBatch(id, Batch("LOAD", size, first: w * 1_000)), CancellationToken.None);
                    Assert.Equal(id, answer.RequestId);
                    Assert.Equal(size, answer.Batch!.Verdicts);
                    Assert.Equal((uint)((size + 9) / 10), answer.Batch.Counts!.BlockedOptedOut);
                }
            }));
            await Task.WhenAll(workers);
        }

        // Disposing ended each stream from the client's side (END_STREAM) after every answer.
        Assert.Equal(32 * 40, server.StreamBatchesAnswered - before.StreamBatchesAnswered);
        Assert.Equal(2, server.StreamsEndedByTheClient - before.StreamsEndedByTheClient);
    }

    [Fact]
    public async Task The_races_workers_get_every_answer_and_the_run_ends_off_the_connections_reader()
    {
        // The race's calls run their continuations on the connection's reader thread (each worker's next batch is
        // framed there): 16 workers, 2,000 batches, then the run itself must go on elsewhere. Confirmation batches,
        // whose verdicts the load generator does not check against the gate's rule.
        var options = Options(connections: 2, "--sms-type", "confirmation", "--dataset", "3000", "--batches", "4", "--batch-size", "100");
        var pool = BatchPool.Create(options, new RecipientSpace(options.Seed));
        using var streams = DirectCheckStreams.Connect(options);

        var run = await RunLoop.RunAsync(new RunSettings("direct stream", 16, TimeSpan.Zero, 2_000, TimeSpan.Zero, 0), streams.CreateCall(pool, options), CancellationToken.None);

        Assert.NotEqual("h2 reader", Thread.CurrentThread.Name);
        Assert.Equal(2_000, run.Recorders.Sum(static r => r.Codes.GetValueOrDefault(StatusCode.OK)));
        Assert.Equal(2_000 * 100, run.Recorders.Sum(static r => r.Recipients));
    }

    [Fact]
    public async Task Batches_larger_than_the_servers_windows_wait_for_them_and_arrive_whole()
    {
        // 24 batches of 20,000 text recipients (~300 KB each) at once on one stream: 7.2 MB against Kestrel's 768 KiB
        // stream and 1 MiB connection windows, so writers wait for WINDOW_UPDATE in the middle of their messages; a
        // message cut by another writer's would fail to parse on the server.
        // Three bursts: a cut happens only when a window opens while a writer waits, so one burst may not show it.
        using var streams = DirectCheckStreams.Connect(Options(connections: 1));
        for (var burst = 0; burst < 3; burst++)
        {
            var ids = Enumerable.Range(1 + (burst * 24), 24).Select(static i => (ulong)i).ToArray();
            // Each writer on a thread of its own: a writer blocks while the windows are shut, and 24 blocked pool
            // threads would starve this in-process server of the threads that read the requests and open them again.
            var sends = ids.Select(id => Task.Factory.StartNew(
                () => streams.SendAsync(0, new CheckStreamBatch(id, Batch("LOAD", 20_000, first: (int)id * 100_000)), CancellationToken.None),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap());

            var answers = await Task.WhenAll(sends);

            Assert.Equal(ids, answers.Select(static a => a.RequestId).Order());
            Assert.All(answers, static a => Assert.Equal(2_000u, a.Batch!.Counts!.BlockedOptedOut));
        }
    }

    [Fact]
    public async Task A_stream_the_server_ends_fails_with_its_status_and_the_next_batch_opens_a_new_one()
    {
        using var streams = DirectCheckStreams.Connect(Options(connections: 1));
        Assert.Equal(50, (await streams.SendAsync(0, new CheckStreamBatch(1, Batch("LOAD", 50, 0)), CancellationToken.None)).Batch!.Verdicts);

        var failed = await Assert.ThrowsAsync<RpcException>(() => streams.SendAsync(0, new CheckStreamBatch(2, Batch("FAIL", 10, 0)), CancellationToken.None));
        Assert.Equal(StatusCode.FailedPrecondition, failed.StatusCode);
        Assert.Equal(CheckBatchServer.FailureMessage, failed.Status.Detail);

        var again = await streams.SendAsync(0, new CheckStreamBatch(3, Batch("LOAD", 30, 0)), CancellationToken.None);
        Assert.Equal(3UL, again.RequestId);
        Assert.Equal(3u, again.Batch!.Counts!.BlockedOptedOut);
    }

    private LoadTestOptions Options(int connections, params string[] more)
    {
        string[] args = ["race", "--stream", "--direct", "--address", server.Address.ToString(), "--connections", connections.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "30s", .. more];
        Assert.True(LoadTestOptions.TryParse(args, out var options, out var error), error);
        return options;
    }

    /// <summary>A serialized CheckBatchRequest of <paramref name="count"/> text recipients from +1555000 + first.</summary>
    private static byte[] Batch(string sender, int count, int first)
    {
        var request = new CheckBatchRequest { Sender = sender, SmsType = SmsType.Marketing };
        for (var i = 0; i < count; i++)
        {
            request.Recipients.Add("+1555" + (first + i).ToString("D7", System.Globalization.CultureInfo.InvariantCulture));
        }

        return request.ToByteArray();
    }
}
