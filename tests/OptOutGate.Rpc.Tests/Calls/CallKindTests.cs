using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Calls;

/// <summary>The four call kinds end to end through the project's own client.</summary>
[Collection(RpcServerCollection.Name)]
public sealed class CallKindTests(RpcServerFixture server) : IDisposable
{
    private static readonly Method<EchoRequest, EchoReply> s_unary = Method<EchoRequest, EchoReply>.From(EchoService.Descriptor.FindMethodByName("Unary"));
    private static readonly Method<EchoRequest, EchoReply> s_clientStream = Method<EchoRequest, EchoReply>.From(EchoService.Descriptor.FindMethodByName("ClientStream"));
    private static readonly Method<EchoRequest, EchoReply> s_serverStream = Method<EchoRequest, EchoReply>.From(EchoService.Descriptor.FindMethodByName("ServerStream"));
    private static readonly Method<EchoRequest, EchoReply> s_duplex = Method<EchoRequest, EchoReply>.From(EchoService.Descriptor.FindMethodByName("Duplex"));
    private static readonly Method<EchoRequest, EchoReply> s_unbound = Method<EchoRequest, EchoReply>.From(EchoService.Descriptor.FindMethodByName("Unbound"));

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(server.Address);

    [Fact]
    public async Task Unary_call_returns_the_echo()
    {
        var reply = await _channel.UnaryAsync(s_unary, new EchoRequest { Text = "hi" });

        Assert.Equal("hi", reply.Text);
    }

    [Fact]
    public async Task Client_streaming_call_reads_every_request_until_half_close()
    {
        using var call = _channel.ClientStreamingCall(s_clientStream);
        foreach (var text in new[] { "a", "b", "c" })
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = text });
        }

        await call.RequestStream.CompleteAsync();
        var reply = await call.ResponseAsync;

        Assert.Equal("abc", reply.Text);
        Assert.Equal(3, reply.Index);
    }

    [Fact]
    public async Task Server_streaming_call_delivers_every_message_then_ok()
    {
        using var call = _channel.ServerStreamingCall(s_serverStream, new EchoRequest { Text = "s", Count = 5 });
        var indexes = new List<int>();
        while (await call.ResponseStream.MoveNextAsync())
        {
            indexes.Add(call.ResponseStream.Current.Index);
        }

        Assert.Equal([0, 1, 2, 3, 4], indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task Duplex_call_answers_each_request_before_the_next_is_sent()
    {
        // Reflection clients send one request and block for its answer: each response must be flushed at once.
        using var call = _channel.DuplexStreamingCall(s_duplex);
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = "ping" + i });
            Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(EchoProbe.Timeout));
            Assert.Equal("ping" + i, call.ResponseStream.Current.Text);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync());
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task Client_reset_during_a_duplex_read_ends_as_cancelled_without_an_error_log()
    {
        var before = server.Metrics.Count("Duplex", "CANCELLED");
        var errorsBefore = server.Logs.Entries.Count(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        var call = _channel.DuplexStreamingCall(s_duplex);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "one" });
        Assert.True(await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(EchoProbe.Timeout));

        // The handler now waits in MoveNextAsync(context.CancellationToken); disposing the call sends RST_STREAM.
        call.Dispose();

        await server.Metrics.WaitForFinishedAsync("Duplex", "CANCELLED", before);
        Assert.Equal(errorsBefore, server.Logs.Entries.Count(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error));
        await RawGrpc.AssertServerHealthyAsync(server.Http);
    }

    [Fact]
    public async Task Unbound_method_fails_with_unimplemented_through_the_client()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(s_unbound, new EchoRequest()));

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    [Fact]
    public async Task Deadline_through_the_client_fails_with_deadline_exceeded()
    {
        var request = new EchoRequest { Mode = "wait", Id = Guid.NewGuid().ToString() };
        var ex = await Assert.ThrowsAsync<RpcException>(
            () => _channel.UnaryAsync(s_unary, request, new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(100))));

        // Whether the client's or the server's timer fires first, the caller sees DEADLINE_EXCEEDED; that the handler's
        // token is cancelled is asserted deterministically by the raw-frame deadline tests (here the client may give
        // up before the handler even starts).
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Request_metadata_reaches_the_handler_and_trailers_come_back()
    {
        var headers = new Metadata { { "x-client", "test" }, { "x-blob-bin", new byte[] { 0, 255, 7 } } };
        using var call = _channel.UnaryCall(s_unary, new EchoRequest { Mode = "metadata" }, new CallOptions(Headers: headers));
        await call;

        Assert.Equal("test", (await call.ResponseHeadersAsync).GetValue("x-client"));
        Assert.Equal("test", call.GetTrailers().GetValue("x-client"));
        Assert.Equal(new byte[] { 0, 255, 7 }, call.GetTrailers().GetBytes("x-blob-bin"));
    }

    public void Dispose() => _channel.Dispose();
}
