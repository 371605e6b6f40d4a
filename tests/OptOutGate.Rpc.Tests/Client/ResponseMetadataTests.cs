using OptOutGate.Rpc.Client.Internal;
using Xunit;

namespace OptOutGate.Rpc.Tests.Client;

public sealed class ResponseMetadataTests
{
    [Fact]
    public void Binary_values_are_split_on_commas_before_base64_decoding_padded_or_not()
    {
        var headers = new HttpResponseMessage().Headers;
        headers.TryAddWithoutValidation("x-data-bin", "AQI,AQID==,AQIDBA");   // [1,2] unpadded, [1,2,3] wrongly padded, [1,2,3,4] unpadded
        headers.TryAddWithoutValidation("x-data-bin", "AQIDBAU=");

        var metadata = ResponseMetadata.Read(headers);

        var values = metadata.Where(e => e.Key == "x-data-bin").Select(e => e.ValueBytes).ToList();
        Assert.Equal([new byte[] { 1, 2 }, new byte[] { 1, 2, 3, 4 }, new byte[] { 1, 2, 3, 4, 5 }], values);
    }

    [Fact]
    public void Reserved_headers_are_left_out_and_custom_ones_kept_in_order()
    {
        var headers = new HttpResponseMessage().Headers;
        headers.TryAddWithoutValidation("grpc-status", "0");
        headers.TryAddWithoutValidation("grpc-message", "x");
        headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        headers.TryAddWithoutValidation("x-one", "1");
        headers.TryAddWithoutValidation("x-two", "2");

        var metadata = ResponseMetadata.Read(headers);

        Assert.Equal(["x-one: 1", "x-two: 2"], metadata.Select(e => e.ToString()).ToArray());
    }

    [Fact]
    public void Values_that_are_not_valid_metadata_are_skipped_not_thrown()
    {
        var headers = new HttpResponseMessage().Headers;
        headers.TryAddWithoutValidation("x-bad-bin", "!!!!");
        headers.TryAddWithoutValidation("x-text", "caf\u00e9");
        headers.TryAddWithoutValidation("x-ok", "fine");

        var metadata = ResponseMetadata.Read(headers);

        Assert.Equal("x-ok: fine", Assert.Single(metadata).ToString());
    }

    [Theory]
    [InlineData("", new byte[0])]
    [InlineData("AA", new byte[] { 0 })]
    [InlineData("AA==", new byte[] { 0 })]
    [InlineData("AAA", new byte[] { 0, 0 })]
    [InlineData("/w", new byte[] { 255 })]
    public void Base64_decodes_with_and_without_padding(string text, byte[] expected)
    {
        Assert.True(ResponseMetadata.TryDecodeBase64(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Base64_of_impossible_length_is_rejected() =>
        Assert.False(ResponseMetadata.TryDecodeBase64("AAAAA", out _));
}
