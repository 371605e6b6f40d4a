using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Grpc;

/// <summary>How the gate's gRPC sits on HTTP/2 for callers that get it wrong: content types, unknown routes, errors before any message.</summary>
public sealed class HttpMappingTests(GateServerFixture fixture) : IClassFixture<GateServerFixture>, IDisposable
{
    private readonly HttpClient _http = RawGrpc.Client(fixture.Server.Address);

    public void Dispose() => _http.Dispose();

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/grpc-web")]
    public async Task WrongContentType_Is415_WithGrpcStatusInternal(string contentType)
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, RawGrpc.Frame(RawGrpc.Batch()), contentType));

        Assert.Equal(415, response.HttpStatus);
        Assert.Equal("13", response.Status);
        Assert.Contains(contentType, response.Message, StringComparison.Ordinal);
        await RawGrpc.AssertStillServingAsync(_http);
    }

    [Fact]
    public async Task ContentTypeWithTheProtoSubtype_IsAccepted()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, RawGrpc.Frame(RawGrpc.Batch()), "application/grpc+proto"));

        Assert.Equal("0", response.Status);
    }

    [Theory]
    [InlineData("/optoutgate.v1.Gate/NoSuchMethod")]
    [InlineData("/optoutgate.v9.Nothing/CheckBatch")]
    public async Task UnknownMethodOrService_IsUnimplemented_TrailersOnly_WithHttp200(string path)
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(path, RawGrpc.Frame(RawGrpc.Batch())));

        Assert.Equal(200, response.HttpStatus);
        Assert.Equal("12", response.Status);
        Assert.True(response.IsTrailersOnly);
    }

    [Fact]
    public async Task AnErrorBeforeAnyMessage_IsTrailersOnly_WithItsMessage()
    {
        // A batch without sms_type: INVALID_ARGUMENT from the gate's validation, before any response message.
        var batch = RawGrpc.Batch();
        batch.SmsType = Contracts.V1.SmsType.Unspecified;
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, RawGrpc.Frame(batch)));

        Assert.Equal(200, response.HttpStatus);
        Assert.Equal("3", response.Status);
        Assert.True(response.IsTrailersOnly);
        Assert.StartsWith("sms_type", response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASuccessfulCall_SendsHeadersTheMessageAndOkInTrailers()
    {
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.CheckBatchPath, RawGrpc.Frame(RawGrpc.Batch())));

        Assert.Equal(200, response.HttpStatus);
        Assert.False(response.Headers.ContainsKey("grpc-status"));
        Assert.Equal("0", response.Trailers["grpc-status"]);
        Assert.Single(response.Messages);
    }
}
