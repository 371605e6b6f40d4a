using Google.Protobuf;
using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

public sealed class LargeMessageAndConcurrencyTests(LargeLimitsServerFixture server) : IClassFixture<LargeLimitsServerFixture>, IDisposable
{
    private const int ThreeMiB = 3 * 1024 * 1024;

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(server.Address);

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Three_MiB_request_and_response_round_trip_under_the_default_limits()
    {
        var payload = new byte[ThreeMiB];
        Random.Shared.NextBytes(payload);

        var reply = await _channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Payload = ByteString.CopyFrom(payload) });

        Assert.True(reply.Payload.Span.SequenceEqual(payload));
    }

    [Fact]
    public async Task Three_MiB_messages_stream_both_ways()
    {
        var payload = ByteString.CopyFrom(new byte[ThreeMiB]);
        using var call = _channel.ClientStreamingCall(EchoMethods.ClientStream);

        await call.RequestStream.WriteAsync(new EchoRequest { Text = "a", Payload = payload });
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "b", Payload = payload });
        await call.RequestStream.CompleteAsync();

        Assert.Equal("ab", (await call).Text);
    }

    [Fact]
    public async Task Response_over_the_default_4_MiB_receive_limit_is_resource_exhausted()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Mode = "big", Count = MessageFraming.DefaultMaxReceiveMessageSize + 1 }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task More_concurrent_calls_than_the_server_stream_limit_all_run_at_once_on_one_channel()
    {
        // 150 calls held open together against 100 streams per connection: they can only all be running if the
        // channel opened a second connection (EnableMultipleHttp2Connections) instead of queueing.
        const int calls = 150;
        var ids = Enumerable.Range(0, calls).Select(_ => Guid.NewGuid().ToString("N")).ToArray();
        using var cts = new CancellationTokenSource();
        var running = ids.Select(id => _channel.UnaryAsync(
            EchoMethods.Unary, new EchoRequest { Mode = "wait", Id = id }, new CallOptions(CancellationToken: cts.Token))).ToArray();

        await Task.WhenAll(ids.Select(id => server.Probe.WaitAsync(id, "started")));
        await cts.CancelAsync();

        foreach (var call in running)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(EchoProbe.Timeout));
            Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        }

        await Task.WhenAll(ids.Select(id => server.Probe.WaitAsync(id, "cancelled")));
    }

    [Fact]
    public async Task Many_concurrent_duplex_streams_each_get_their_own_answers()
    {
        const int calls = 120;
        var tasks = Enumerable.Range(0, calls).Select(async i =>
        {
            using var call = _channel.DuplexStreamingCall(EchoMethods.Duplex);
            await call.RequestStream.WriteAsync(new EchoRequest { Text = "c" + i });
            Assert.True(await call.ResponseStream.MoveNextAsync());
            var first = call.ResponseStream.Current.Text;
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNextAsync());
            return first;
        });

        var answers = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, calls).Select(i => "c" + i), answers);
    }
}
