using Google.Protobuf;
using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

/// <summary>Limits against the shared server, whose own limits are small (64 KiB in, 256 KiB out).</summary>
[Collection(RpcServerCollection.Name)]
public sealed class MessageLimitTests(RpcServerFixture server)
{
    [Fact]
    public async Task Response_over_the_client_receive_limit_is_resource_exhausted()
    {
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 10_000 });

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Mode = "big", Count = 20_000 }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);

        // The channel is still usable after the reset.
        Assert.Equal("ok", (await channel.UnaryAsync(EchoMethods.Unary, new EchoRequest { Text = "ok" })).Text);
    }

    [Fact]
    public async Task Request_over_the_client_send_limit_fails_before_sending()
    {
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxSendMessageSize = 1024 });
        var id = Guid.NewGuid().ToString("N");
        var request = new EchoRequest { Id = id, Payload = ByteString.CopyFrom(new byte[2048]) };

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, request));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.False(server.Probe.HasFired(id, "started"));
    }

    [Fact]
    public async Task Streamed_request_over_the_send_limit_ends_the_call()
    {
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxSendMessageSize = 1024 });
        using var call = channel.ClientStreamingCall(EchoMethods.ClientStream);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "small" });

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[2048]) }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, (await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task Request_over_the_server_receive_limit_comes_back_resource_exhausted()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var request = new EchoRequest { Payload = ByteString.CopyFrom(new byte[RpcServerFixture.MaxReceiveMessageSize + 1]) };

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Unary, request));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }
}
