using System.Buffers;
using Google.Protobuf;
using OptOutGate.Rpc.Client;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

/// <summary>RawUnaryAsync: a request serialized by the caller, the response read from its bytes by the caller's decoder.</summary>
[Collection(RpcServerCollection.Name)]
public sealed class RawUnaryCallTests(RpcServerFixture server) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(server.Address);

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Sends_the_given_bytes_and_returns_what_the_decoder_read()
    {
        var request = new EchoRequest { Text = "raw", Payload = ByteString.CopyFrom(7, 8, 9) }.ToByteArray();

        var reply = await _channel.RawUnaryAsync(EchoMethods.Unary, request, static bytes => EchoReply.Parser.ParseFrom(bytes));

        Assert.Equal("raw", reply.Text);
        Assert.Equal(new byte[] { 7, 8, 9 }, reply.Payload.ToByteArray());
    }

    [Fact]
    public async Task The_decoder_sees_exactly_the_message_bytes()
    {
        var request = new EchoRequest { Text = "length" };
        var expected = new EchoReply { Text = "length" }.ToByteArray();

        var seen = await _channel.RawUnaryAsync(EchoMethods.Unary, request.ToByteArray(), static bytes => bytes.ToArray());

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Works_with_compressed_requests_and_error_statuses()
    {
        using var gzip = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { CompressRequests = true });
        var reply = await gzip.RawUnaryAsync(EchoMethods.Unary, new EchoRequest { Text = new string('z', 2_000) }.ToByteArray(), static bytes => EchoReply.Parser.ParseFrom(bytes));
        Assert.Equal(2_000, reply.Text.Length);

        var failed = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.RawUnaryAsync(EchoMethods.Unary, new EchoRequest { Mode = "rpc", Text = "no" }.ToByteArray(), static bytes => bytes.ToArray()));
        Assert.Equal(StatusCode.FailedPrecondition, failed.StatusCode);
        Assert.Equal("no", failed.Status.Detail);
    }

    [Fact]
    public async Task A_decoder_that_rejects_the_bytes_ends_the_call_with_internal()
    {
        var failed = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.RawUnaryAsync<EchoRequest, EchoReply, string>(EchoMethods.Unary, new EchoRequest { Text = "x" }.ToByteArray(), static _ => throw new InvalidDataException("not what I expected")));

        Assert.Equal(StatusCode.Internal, failed.StatusCode);
        Assert.Equal("Failed to deserialize response message.", failed.Status.Detail);
    }

    [Fact]
    public async Task A_request_over_the_send_limit_fails_without_being_sent()
    {
        using var small = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxSendMessageSize = 10 });

        var failed = await Assert.ThrowsAsync<RpcException>(() =>
            small.RawUnaryAsync(EchoMethods.Unary, new byte[11], static bytes => bytes.ToArray()));

        Assert.Equal(StatusCode.ResourceExhausted, failed.StatusCode);
    }
}
