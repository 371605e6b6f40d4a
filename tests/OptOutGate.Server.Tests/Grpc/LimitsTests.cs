using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Grpc;

/// <summary>Message sizes, compression and concurrency as a Grpc.Net.Client caller meets them at the gate.</summary>
public sealed class LimitsTests(GateServerFixture fixture) : IClassFixture<GateServerFixture>
{
    private readonly GateTestServer _gate = fixture.Server;

    [Fact]
    public async Task ARequestOverTheGatesReceiveLimit_IsResourceExhausted()
    {
        // The gate takes 4 MiB (Rpc:MaxReceiveMessageSize in appsettings.json); the client has no send limit.
        var batch = RawGrpc.Batch();
        batch.App = new string('a', 5 << 20);

        var error = await Assert.ThrowsAsync<RpcException>(() => _gate.Gate.CheckBatchAsync(batch, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal([Verdict.Allowed], (await _gate.Gate.CheckBatchAsync(RawGrpc.Batch())).Verdicts);
    }

    [Fact]
    public async Task AResponseOverTheClientsReceiveLimit_IsResourceExhaustedAtTheClient()
    {
        // The verdicts of 10,000 recipients take more than 1 KiB.
        using var channel = _gate.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 1024 });
        var batch = RawGrpc.Batch();
        batch.Recipients.Add(Enumerable.Range(0, 9_999).Select(i => "+1415" + (5_000_000 + i)));

        var error = await Assert.ThrowsAsync<RpcException>(() => new GateRpcClient(channel).CheckBatchAsync(batch).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task AGzipRequest_IsAnswered()
    {
        // Grpc.Net.Client compresses the request when this header names a provider it has (gzip by default).
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };
        var batch = RawGrpc.Batch();
        batch.Recipients.Add(Enumerable.Range(0, 999).Select(i => "+1415" + (5_000_000 + i)));

        var answer = await _gate.Gate.CheckBatchAsync(batch, headers);

        Assert.Equal(1_000, answer.Verdicts.Count);
    }

    [Fact]
    public async Task MoreThan100ConcurrentStreams_OnOneConnection_AllRunAtOnce()
    {
        // One HTTP/2 connection (no second one past 100 calls, as Grpc.Net.Client would otherwise open): the gate allows
        // 1,000 streams per connection (Gate:MaxStreamsPerConnection), so 150 open CheckStreams all answer while open.
        using var channel = _gate.CreateChannel(new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false } });
        var client = new GateRpcClient(channel);
        const int streams = 150;
        var calls = new List<AsyncDuplexStreamingCall<CheckStreamRequest, CheckStreamResponse>>();
        try
        {
            for (var i = 0; i < streams; i++)
            {
                var call = client.CheckStream(deadline: DateTime.UtcNow.AddSeconds(60));
                calls.Add(call);
                await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = (ulong)i, Batch = RawGrpc.Batch() });
            }

            // Every stream is still open (none half-closed) when its answer arrives.
            for (var i = 0; i < streams; i++)
            {
                Assert.True(await calls[i].ResponseStream.MoveNext());
                Assert.Equal((ulong)i, calls[i].ResponseStream.Current.RequestId);
            }

            foreach (var call in calls)
            {
                await call.RequestStream.CompleteAsync();
                Assert.False(await call.ResponseStream.MoveNext());
                Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
            }
        }
        finally
        {
            foreach (var call in calls)
            {
                call.Dispose();
            }
        }
    }
}
