using System.IO.Compression;
using Google.Protobuf;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Calls;

/// <summary>Inputs no well-behaved client sends: each must end in the right status, and the server must carry on.</summary>
[Collection(RpcServerCollection.Name)]
public sealed class MalformedRequestTests(RpcServerFixture server)
{
    private readonly HttpClient _http = server.Http;

    [Fact]
    public async Task Truncated_length_prefix_ends_with_internal_trailers_only()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, [0, 0, 0]));

        Assert.Equal(200, response.HttpStatus);
        Assert.Equal("13", response.Status);
        Assert.Equal("Incomplete message.", response.Message);
        Assert.True(response.IsTrailersOnly);
        Assert.Equal("application/grpc", response.Headers["content-type"]);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Message_shorter_than_its_length_prefix_ends_with_internal()
    {
        var frame = RawGrpc.Frame(new EchoRequest { Text = "cut short" });
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, frame[..^3]));

        Assert.Equal("13", response.Status);
        Assert.Equal("Incomplete message.", response.Message);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Empty_unary_request_ends_with_internal_no_message()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, []));

        Assert.Equal("13", response.Status);
        Assert.Equal("No message received.", response.Message);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Two_messages_on_a_unary_call_end_with_internal_additional_data()
    {
        var frame = RawGrpc.Frame(new EchoRequest { Text = "one" });
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, [.. frame, .. frame]));

        Assert.Equal("13", response.Status);
        Assert.Equal("Additional data after the message received.", response.Message);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Compressed_flag_without_grpc_encoding_ends_with_internal()
    {
        var payload = new EchoRequest { Text = "x" }.ToByteArray();
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(payload, compressed: true)));

        Assert.Equal("13", response.Status);
        Assert.Contains("compressed flag", response.Message, StringComparison.Ordinal);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Garbage_bytes_with_an_invalid_flag_end_with_internal()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, "GET / HTTP/1.1\r\n\r\n"u8.ToArray()));

        Assert.Equal("13", response.Status);
        Assert.Contains("compressed flag", response.Message, StringComparison.Ordinal);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Malformed_protobuf_ends_with_internal_parse_error()
    {
        // Field 1, length-delimited, claiming 100 bytes that are not there.
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame([0x0A, 100, 1, 2], compressed: false)));

        Assert.Equal("13", response.Status);
        Assert.Equal("Error parsing request message.", response.Message);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Length_prefix_over_the_receive_limit_ends_with_resource_exhausted_before_the_body_arrives()
    {
        // Only the 5-byte header of a 1 GiB message: the limit is enforced from the header.
        byte[] header = [0, 0x40, 0, 0, 0];
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, header));

        Assert.Equal("8", response.Status);
        Assert.Contains("exceeds the maximum configured message size", response.Message, StringComparison.Ordinal);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Message_over_the_receive_limit_ends_with_resource_exhausted()
    {
        var request = new EchoRequest { Payload = ByteString.CopyFrom(new byte[RpcServerFixture.MaxReceiveMessageSize + 1]) };
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(request)));

        Assert.Equal("8", response.Status);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Gzip_bomb_over_the_receive_limit_ends_with_resource_exhausted()
    {
        var inflated = new EchoRequest { Payload = ByteString.CopyFrom(new byte[RpcServerFixture.MaxReceiveMessageSize * 4]) }.ToByteArray();
        var response = await RawGrpc.SendAsync(
            _http,
            RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(Compress(inflated, gzip: true), compressed: true), headers: ("grpc-encoding", "gzip")));

        Assert.Equal("8", response.Status);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Unsupported_grpc_encoding_ends_with_unimplemented_listing_supported_encodings()
    {
        var response = await RawGrpc.SendAsync(
            _http,
            RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { Text = "x" }), headers: ("grpc-encoding", "snappy")));

        Assert.Equal("12", response.Status);
        Assert.True(response.IsTrailersOnly);
        Assert.Contains("snappy", response.Message, StringComparison.Ordinal);
        Assert.Equal("identity,gzip,deflate", response.Headers["grpc-accept-encoding"]);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Compressed_request_is_decompressed_and_answered(string encoding)
    {
        var payload = new EchoRequest { Text = "squeezed " + encoding }.ToByteArray();
        var response = await RawGrpc.SendAsync(
            _http,
            RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(Compress(payload, encoding == "gzip"), compressed: true), headers: ("grpc-encoding", encoding)));

        Assert.Equal("0", response.Status);
        Assert.Equal("squeezed " + encoding, EchoReply.Parser.ParseFrom(Assert.Single(response.Messages)).Text);
    }

    [Fact]
    public async Task Corrupt_gzip_data_ends_with_internal()
    {
        var response = await RawGrpc.SendAsync(
            _http,
            RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame([1, 2, 3, 4, 5, 6], compressed: true), headers: ("grpc-encoding", "gzip")));

        Assert.Equal("13", response.Status);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Truncated_message_on_a_client_stream_ends_with_internal()
    {
        var frame = RawGrpc.Frame(new EchoRequest { Text = "whole" });
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.ClientStreamPath, [.. frame, .. frame[..4]]));

        Assert.Equal("13", response.Status);
        Assert.Equal("Incomplete message.", response.Message);
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    private static byte[] Compress(byte[] data, bool gzip)
    {
        using var output = new MemoryStream();
        using (Stream compressor = gzip ? new GZipStream(output, CompressionLevel.Fastest) : new ZLibStream(output, CompressionLevel.Fastest))
        {
            compressor.Write(data);
        }

        return output.ToArray();
    }
}
