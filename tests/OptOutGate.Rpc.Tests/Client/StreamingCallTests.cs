using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

[Collection(RpcServerCollection.Name)]
public sealed class StreamingCallTests(RpcServerFixture server) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(server.Address);

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Server_streaming_reads_every_message_in_order_then_ok()
    {
        using var call = _channel.ServerStreamingCall(EchoMethods.ServerStream, new EchoRequest { Text = "s", Count = 5 });

        var indexes = new List<int>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            indexes.Add(reply.Index);
        }

        Assert.Equal([0, 1, 2, 3, 4], indexes);
        Assert.Equal(Status.Ok, call.GetStatus());
        Assert.NotNull(await call.ResponseHeadersAsync);
    }

    [Fact]
    public async Task Server_streaming_with_no_messages_ends_ok()
    {
        using var call = _channel.ServerStreamingCall(EchoMethods.ServerStream, new EchoRequest { Count = 0 });

        Assert.False(await call.ResponseStream.MoveNextAsync());
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task Server_streaming_error_after_messages_is_thrown_by_the_next_read()
    {
        using var call = _channel.ServerStreamingCall(EchoMethods.ServerStream, new EchoRequest { Mode = "rpc", Count = 2 });

        Assert.True(await call.ResponseStream.MoveNextAsync());
        Assert.True(await call.ResponseStream.MoveNextAsync());
        Assert.Equal(1, call.ResponseStream.Current.Index);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync());

        Assert.Equal(new Status(StatusCode.Aborted, "after messages"), ex.Status);
        Assert.Equal(ex.Status, call.GetStatus());
    }

    [Fact]
    public async Task Client_streaming_sends_every_message_then_gets_one_response()
    {
        using var call = _channel.ClientStreamingCall(EchoMethods.ClientStream);

        foreach (var text in new[] { "a", "b", "c" })
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = text });
        }

        await call.RequestStream.CompleteAsync();
        var reply = await call;

        Assert.Equal("abc", reply.Text);
        Assert.Equal(3, reply.Index);
        Assert.Equal(Status.Ok, call.GetStatus());
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.WriteAsync(new EchoRequest()));
    }

    [Fact]
    public async Task Client_streaming_with_no_messages_still_gets_the_response()
    {
        using var call = _channel.ClientStreamingCall(EchoMethods.ClientStream);

        await call.RequestStream.CompleteAsync();
        var reply = await call.ResponseAsync;

        Assert.Equal(0, reply.Index);
    }

    [Fact]
    public async Task Duplex_is_full_duplex_each_response_arrives_while_the_request_stream_is_open()
    {
        using var call = _channel.DuplexStreamingCall(EchoMethods.Duplex);

        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = "m" + i });

            // The server answers each request before the next is written: a half-duplex client would hang here.
            Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(EchoProbe.Timeout));
            Assert.Equal("m" + i, call.ResponseStream.Current.Text);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync());
        Assert.Equal(Status.Ok, call.GetStatus());
    }

    [Fact]
    public async Task Status_is_not_available_before_the_call_ends()
    {
        using var call = _channel.DuplexStreamingCall(EchoMethods.Duplex);

        Assert.Throws<InvalidOperationException>(() => call.GetStatus());
        Assert.Throws<InvalidOperationException>(() => call.GetTrailers());
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync());
    }
}
