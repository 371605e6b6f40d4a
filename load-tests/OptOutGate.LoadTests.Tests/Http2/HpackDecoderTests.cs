using OptOutGate.LoadTests.Http2;

namespace OptOutGate.LoadTests.Tests.Http2;

public sealed class HpackDecoderTests
{
    [Fact]
    public void Decode_FollowsTheRfcExampleBlocksAndTheirDynamicTable()
    {
        // RFC 7541 appendix C.3: three requests on one connection, without Huffman coding.
        var decoder = new HpackDecoder();
        var first = decoder.Decode(Convert.FromHexString("828684410f7777772e6578616d706c652e636f6d"));
        Assert.Equal([(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")], first);
        Assert.Equal(1, decoder.DynamicCount);

        var second = decoder.Decode(Convert.FromHexString("828684be58086e6f2d6361636865"));
        Assert.Equal([(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache")], second);
        Assert.Equal(2, decoder.DynamicCount);

        var third = decoder.Decode(Convert.FromHexString("828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565"));
        Assert.Equal(
            [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")],
            third);
        Assert.Equal(3, decoder.DynamicCount);
    }

    [Fact]
    public void SizeUpdate_EvictsTheOldestEntries()
    {
        var decoder = new HpackDecoder();
        decoder.Decode(Convert.FromHexString("400161" + "0178")); // a: x, 34 bytes with the overhead
        decoder.Decode(Convert.FromHexString("400162" + "0179")); // b: y; the table is [b, a], 68 bytes
        Assert.Equal(2, decoder.DynamicCount);

        // A size update to 40 keeps only the newest entry: index 62 is b, index 63 no longer exists.
        Assert.Equal([("b", "y")], decoder.Decode(Convert.FromHexString("3f09" + "be")));
        Assert.Equal(1, decoder.DynamicCount);
        Assert.Throws<HpackException>(() => decoder.Decode([0xbf]));
    }

    [Theory]
    [InlineData("0081ff0178", "Huffman")] // A literal whose name is Huffman-coded.
    [InlineData("c0", "index 64")] // Past the end of an empty dynamic table.
    [InlineData("3fe21f", "over the 4096 allowed")] // A size update to 4,096 + 1.
    [InlineData("8220", "after a header field")] // A size update after a field.
    [InlineData("000a6162", "past the end")] // A name longer than the block.
    [InlineData("ff", "inside an integer")]
    public void MalformedBlocks_AreRefusedWithTheReason(string hex, string reason)
    {
        var error = Assert.Throws<HpackException>(() => new HpackDecoder().Decode(Convert.FromHexString(hex)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestHeaderBlock_DecodesToTheGrpcRequestHeaders()
    {
        var value = new string('k', 200); // Longer than a 7-bit length prefix holds.
        var block = RequestHeaderBlock.Encode("127.0.0.1:50051", "/optoutgate.v1.Gate/CheckBatch", [("Authorization", "Bearer " + value)]);

        var decoder = new HpackDecoder();
        Assert.Equal(
            [
                (":method", "POST"), (":scheme", "http"), (":path", "/optoutgate.v1.Gate/CheckBatch"), (":authority", "127.0.0.1:50051"),
                ("content-type", "application/grpc"), ("te", "trailers"), ("authorization", "Bearer " + value),
            ],
            decoder.Decode(block));
        Assert.Equal(0, decoder.DynamicCount); // Never indexed: the same bytes fit any stream of any connection.
    }
}
