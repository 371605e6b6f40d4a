using Grpc.Core;
using OptOutGate.LoadTests.Http2;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Tests.Http2;

/// <summary>The race's unary CheckBatch side on the direct HTTP/2 client, closed loop, against a real Kestrel server with Grpc.AspNetCore.</summary>
public sealed class DirectCheckBatchesTests(CheckBatchServer server) : IClassFixture<CheckBatchServer>
{
    [Fact]
    public async Task The_races_workers_get_every_answer_and_the_run_ends_off_the_connections_reader()
    {
        // 16 workers on 2 connections continuing on the readers, each starting its next call there: 3,000 calls.
        // Confirmation batches, whose verdicts the load generator does not check against the gate's rule.
        var options = Options("LOAD");
        var pool = BatchPool.Create(options, new RecipientSpace(options.Seed));
        var before = server.CallsAnswered;
        using var batches = DirectCheckBatches.Connect(options);

        var run = await RunLoop.RunAsync(new RunSettings("direct unary", 16, TimeSpan.Zero, 3_000, TimeSpan.Zero, 0), batches.CreateCall(pool, verify: false), CancellationToken.None);

        Assert.NotEqual("h2 reader", Thread.CurrentThread.Name);
        Assert.Equal(3_000, run.Recorders.Sum(static r => r.Codes.GetValueOrDefault(StatusCode.OK)));
        Assert.Equal(3_000 * 100, run.Recorders.Sum(static r => r.Recipients));
        Assert.True(server.CallsAnswered - before >= 3_000);
    }

    [Fact]
    public async Task Failed_calls_are_recorded_with_the_servers_status()
    {
        var options = Options("FAIL");
        var pool = BatchPool.Create(options, new RecipientSpace(options.Seed));
        using var batches = DirectCheckBatches.Connect(options);

        var run = await RunLoop.RunAsync(new RunSettings("direct unary", 4, TimeSpan.Zero, 200, TimeSpan.Zero, 0), batches.CreateCall(pool, verify: false), CancellationToken.None);

        Assert.Equal(200, run.Recorders.Sum(static r => r.Codes.GetValueOrDefault(StatusCode.FailedPrecondition)));
        Assert.Contains(run.Recorders.SelectMany(static r => r.Errors.Keys), static e => e.EndsWith(CheckBatchServer.FailureMessage, StringComparison.Ordinal));
    }

    [Fact]
    public void More_workers_on_a_connection_than_the_server_allows_streams_are_refused_before_the_run()
    {
        // The server allows 1,000 streams per connection; 3,000 workers on 2 connections would put 1,500 on each.
        var error = Assert.Throws<InvalidOperationException>(() => DirectCheckBatches.Connect(Options("LOAD", "-c", "3000")));

        Assert.Contains("the gate allows 1000 streams", error.Message, StringComparison.Ordinal);
    }

    private LoadTestOptions Options(string sender, params string[] more)
    {
        string[] args = ["race", "--direct", "--address", server.Address.ToString(), "--connections", "2", "-t", "30s", "--sender", sender,
            "--sms-type", "confirmation", "--dataset", "3000", "--batches", "4", "--batch-size", "100", .. more];
        Assert.True(LoadTestOptions.TryParse(args, out var options, out var error), error);
        return options;
    }
}
