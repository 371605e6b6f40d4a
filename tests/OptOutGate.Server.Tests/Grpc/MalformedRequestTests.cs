using System.IO.Compression;
using Google.Protobuf;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Grpc;

/// <summary>
/// What no well-behaved client sends, at the gate's own CheckBatch (and ImportOptOuts for a client stream): each ends in
/// the status gRPC's spec gives it, and the gate answers the next call on the same connection as if nothing happened.
/// </summary>
public sealed class MalformedRequestTests(GateServerFixture fixture) : IClassFixture<GateServerFixture>, IDisposable
{
    private const string ImportPath = "/optoutgate.v1.Admin/ImportOptOuts";

    private readonly HttpClient _http = RawGrpc.Client(fixture.Server.Address);

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task TruncatedLengthPrefix_IsInternal_TrailersOnly()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, [0, 0, 0]));

        Assert.Equal(200, response.HttpStatus);
        Assert.Equal("13", response.Status);
        Assert.Equal("Incomplete message.", response.Message);
        Assert.True(response.IsTrailersOnly);
        Assert.StartsWith("application/grpc", response.Headers["content-type"], StringComparison.Ordinal);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    [Fact]
    public async Task MessageShorterThanItsLengthPrefix_IsInternal()
    {
        var frame = RawGrpc.Frame(RawGrpc.Batch());
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, frame[..^3]));

        Assert.Equal("13", response.Status);
        Assert.Equal("Incomplete message.", response.Message);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    [Fact]
    public async Task UnaryCallWithoutAMessage_IsInternal()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, []));

        Assert.Equal("13", response.Status);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    [Fact]
    public async Task TwoMessagesOnAUnaryCall_AreInternal()
    {
        var frame = RawGrpc.Frame(RawGrpc.Batch());
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, [.. frame, .. frame]));

        Assert.Equal("13", response.Status);
        Assert.Equal("Additional data after the message received.", response.Message);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    [Fact]
    public async Task CompressedFlagWithoutGrpcEncoding_IsInternal()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, RawGrpc.Frame(RawGrpc.Batch().ToByteArray(), compressed: true)));

        Assert.Equal("13", response.Status);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    [Fact]
    public async Task NotProtobuf_IsInternal_AndWritesNothing()
    {
        // Field 4 (recipients), length-delimited, claiming 100 bytes that are not there.
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, RawGrpc.Frame([0x22, 100, 0x2B], compressed: false)));

        Assert.Equal("13", response.Status);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    [Fact]
    public async Task LengthPrefixOverTheReceiveLimit_IsResourceExhausted_BeforeTheBodyArrives()
    {
        // Only the 5-byte header of a 1 GiB message: the limit is enforced from the header.
        byte[] header = [0, 0x40, 0, 0, 0];
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, header));

        Assert.Equal("8", response.Status);
        Assert.Contains("exceeds the maximum", response.Message, StringComparison.Ordinal);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    [Fact]
    public async Task GzipBombOverTheReceiveLimit_IsResourceExhausted()
    {
        // 16 MiB of zeros in a 16 KiB gzip body: the limit applies to the message as it inflates.
        var batch = RawGrpc.Batch();
        batch.App = new string('a', 16 << 20);
        var response = await RawGrpc.SendAsync(
            _http,
            RawGrpc.Request(RawGrpc.CheckBatchPath, RawGrpc.Frame(Gzip(batch.ToByteArray()), compressed: true), headers: ("grpc-encoding", "gzip")));

        Assert.Equal("8", response.Status);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    [Fact]
    public async Task UnsupportedGrpcEncoding_IsUnimplemented_NamingWhatIsSupported()
    {
        // A message flagged compressed with an encoding the gate has no inflater for (compression.md: UNIMPLEMENTED).
        var response = await RawGrpc.SendAsync(
            _http,
            RawGrpc.Request(RawGrpc.CheckBatchPath, RawGrpc.Frame(RawGrpc.Batch().ToByteArray(), compressed: true), headers: ("grpc-encoding", "snappy")));

        Assert.Equal("12", response.Status);
        Assert.True(response.IsTrailersOnly);
        Assert.Contains("snappy", response.Message, StringComparison.Ordinal);
        Assert.Contains("gzip", response.Headers["grpc-accept-encoding"], StringComparison.Ordinal);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    [Fact]
    public async Task GzipRequest_IsDecompressedAndAnswered()
    {
        var response = await RawGrpc.SendAsync(
            _http,
            RawGrpc.Request(RawGrpc.CheckBatchPath, RawGrpc.Frame(Gzip(RawGrpc.Batch().ToByteArray()), compressed: true), headers: ("grpc-encoding", "gzip")));

        Assert.Equal("0", response.Status);
        Assert.Single(Contracts.V1.CheckBatchResponse.Parser.ParseFrom(Assert.Single(response.Messages)).Verdicts);
    }

    [Fact]
    public async Task CorruptGzip_IsInternal()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, RawGrpc.Frame([1, 2, 3, 4, 5, 6], compressed: true), headers: ("grpc-encoding", "gzip")));

        Assert.Equal("13", response.Status);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    [Fact]
    public async Task TruncatedMessageOnAClientStream_IsInternal()
    {
        var first = RawGrpc.Frame(new Contracts.V1.ImportOptOutsRequest
        {
            Options = new Contracts.V1.ImportOptions { SourceName = "truncated", Reason = "test", DryRun = true, Scope = Contracts.V1.Scope.Sender, Sender = "+18005550100" },
            Lines = { new Contracts.V1.ImportLine { Recipient = "+14155550100" } },
        });
        var next = RawGrpc.Frame(new Contracts.V1.ImportOptOutsRequest { Lines = { new Contracts.V1.ImportLine { Recipient = "+14155550101" } } });
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(ImportPath, [.. first, .. next[..4]]));

        Assert.Equal("13", response.Status);
        Assert.Equal("Incomplete message.", response.Message);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
