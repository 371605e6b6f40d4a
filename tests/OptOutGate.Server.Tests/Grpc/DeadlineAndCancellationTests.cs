using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Grpc;

/// <summary>Deadlines and cancellation through Grpc.Net.Client against the gate: the call ends as the caller asked, and the gate carries on.</summary>
public sealed class DeadlineAndCancellationTests(GateServerFixture fixture) : IClassFixture<GateServerFixture>
{
    private readonly GateTestServer _gate = fixture.Server;

    [Fact]
    public async Task AStreamPastItsDeadline_EndsWithDeadlineExceeded_AndTheGateServesOn()
    {
        // StreamChanges follows the log until the caller leaves: only the deadline ends it.
        using var call = _gate.Changes.StreamChanges(new StreamChangesRequest { FromSequence = 1 }, deadline: DateTime.UtcNow.AddMilliseconds(300));

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
            }
        });

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task ADeadlineAlreadyPassed_FailsAtOnce()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _gate.Gate.CheckBatchAsync(RawGrpc.Batch(), deadline: DateTime.UtcNow.AddSeconds(-1)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task TheDeadlineReachesTheGate_AsGrpcTimeout()
    {
        // A raw call with grpc-timeout 200 ms on a stream the gate holds open: the gate itself ends it.
        using var http = RawGrpc.Client(_gate.Address);
        var request = RawGrpc.Request("/optoutgate.v1.Changes/StreamChanges", RawGrpc.Frame(new StreamChangesRequest { FromSequence = 1 }), headers: ("grpc-timeout", "200m"));

        var response = await RawGrpc.SendAsync(http, request).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("4", response.Status);
    }

    [Fact]
    public async Task CancellingAStreamMidway_EndsItAsCancelled_AndTheGateServesOn()
    {
        using var cancel = new CancellationTokenSource();
        using var call = _gate.Gate.CheckStream(cancellationToken: cancel.Token);
        await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 1, Batch = RawGrpc.Batch() });
        Assert.True(await call.ResponseStream.MoveNext());

        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task CancellingAUnaryCallInFlight_IsCancelled()
    {
        using var cancel = new CancellationTokenSource();
        var batch = RawGrpc.Batch();
        batch.Recipients.Add(Enumerable.Range(0, 9_999).Select(i => "+1415" + (5_000_000 + i)));
        var call = _gate.Gate.CheckBatchAsync(batch, cancellationToken: cancel.Token);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        call.Dispose();
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task DisposingAnUnfinishedStream_ResetsIt_AndTheGateServesOn()
    {
        for (var i = 0; i < 20; i++)
        {
            var call = _gate.Mo.StreamMo();
            await call.RequestStream.WriteAsync(new StreamMoRequest { Message = new MoMessage { CarrierMessageId = "x" + i } });
            call.Dispose();
        }

        await AssertStillServingAsync();
    }

    private async Task AssertStillServingAsync()
    {
        var answer = await _gate.Gate.CheckBatchAsync(RawGrpc.Batch(), deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.Equal([Verdict.Allowed], answer.Verdicts);
    }
}
