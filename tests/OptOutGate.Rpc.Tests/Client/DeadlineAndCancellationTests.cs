using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

[Collection(RpcServerCollection.Name)]
public sealed class DeadlineAndCancellationTests(RpcServerFixture server) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(server.Address);

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Unary_past_its_deadline_fails_with_deadline_exceeded_and_the_server_call_is_cancelled()
    {
        var id = NewId();
        var call = _channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Mode = "wait", Id = id }, new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(300)));

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(EchoProbe.Timeout));

        Assert.Equal(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), ex.Status);
        await server.Probe.WaitAsync(id, "cancelled");
    }

    [Fact]
    public async Task Channel_default_deadline_applies_when_the_call_has_none()
    {
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { DefaultDeadline = TimeSpan.FromMilliseconds(200) });

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Mode = "wait", Id = NewId() }).WaitAsync(EchoProbe.Timeout));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Deadline_already_passed_fails_without_reaching_the_server()
    {
        var id = NewId();

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Id = id }, new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1))));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.False(server.Probe.HasFired(id, "started"));
    }

    [Fact]
    public async Task Cancelling_a_unary_call_in_flight_is_cancelled_and_resets_the_server_call()
    {
        var id = NewId();
        using var cts = new CancellationTokenSource();
        var call = _channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Mode = "wait", Id = id }, new CallOptions(CancellationToken: cts.Token));
        await server.Probe.WaitAsync(id, "started");

        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(EchoProbe.Timeout));

        Assert.Equal(new Status(StatusCode.Cancelled, "Call canceled by the client."), ex.Status);
        await server.Probe.WaitAsync(id, "cancelled");
    }

    [Fact]
    public async Task Cancelling_server_streaming_mid_stream_after_headers_resets_the_stream()
    {
        var id = NewId();
        using var cts = new CancellationTokenSource();
        using var call = _channel.ServerStreamingCall(EchoMethods.ServerStream, new EchoRequest { Mode = "wait", Id = id, Count = 2 }, new CallOptions(CancellationToken: cts.Token));
        Assert.True(await call.ResponseStream.MoveNextAsync());
        Assert.True(await call.ResponseStream.MoveNextAsync());
        await server.Probe.WaitAsync(id, "started");

        var pending = call.ResponseStream.MoveNextAsync().AsTask();
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => pending.WaitAsync(EchoProbe.Timeout));

        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().Code);
        await server.Probe.WaitAsync(id, "cancelled");
    }

    [Fact]
    public async Task Cancelling_the_read_token_cancels_the_call()
    {
        var id = NewId();
        using var call = _channel.ServerStreamingCall(EchoMethods.ServerStream, new EchoRequest { Mode = "wait", Id = id, Count = 0 });
        await server.Probe.WaitAsync(id, "started");
        using var cts = new CancellationTokenSource();

        var pending = call.ResponseStream.MoveNextAsync(cts.Token).AsTask();
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => pending.WaitAsync(EchoProbe.Timeout));

        Assert.Equal(new Status(StatusCode.Cancelled, "Call canceled by the client."), ex.Status);
        await server.Probe.WaitAsync(id, "cancelled");
    }

    [Fact]
    public async Task Disposing_an_unfinished_streaming_call_resets_it_without_a_pending_read()
    {
        var id = NewId();
        var call = _channel.ServerStreamingCall(EchoMethods.ServerStream, new EchoRequest { Mode = "wait", Id = id, Count = 1 });
        Assert.True(await call.ResponseStream.MoveNextAsync());
        await server.Probe.WaitAsync(id, "started");

        call.Dispose();

        await server.Probe.WaitAsync(id, "cancelled");
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().Code);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync());
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    [Fact]
    public async Task Duplex_past_its_deadline_fails_reads_and_writes_with_deadline_exceeded()
    {
        using var call = _channel.DuplexStreamingCall(EchoMethods.Duplex, new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(300)));
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "one" });
        Assert.True(await call.ResponseStream.MoveNextAsync());

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(EchoProbe.Timeout));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        var write = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new EchoRequest()));
        Assert.Equal(StatusCode.DeadlineExceeded, write.StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_client_stream_fails_the_response_with_cancelled()
    {
        using var cts = new CancellationTokenSource();
        using var call = _channel.ClientStreamingCall(EchoMethods.ClientStream, new CallOptions(CancellationToken: cts.Token));
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "a" });

        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(EchoProbe.Timeout));

        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    private static string NewId() => Guid.NewGuid().ToString("N");
}
