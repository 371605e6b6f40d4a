using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Hosting;

/// <summary>The "Rpc" settings reach grpc-dotnet's GrpcServiceOptions: response compression and the receive limit.</summary>
public sealed class GrpcOptionsTests
{
    [Fact]
    public async Task ResponseCompressionGzip_CompressesForClientsThatAcceptIt_AndASmallReceiveLimitRefusesLargerRequests()
    {
        await using var gate = await GateTestServer.StartAsync(new Dictionary<string, string>
        {
            ["Rpc:ResponseCompression"] = "gzip",
            ["Rpc:MaxReceiveMessageSize"] = "1000",
        });
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var client = new Contracts.V1.Gate.GateClient(channel);
        var small = new CheckBatchRequest { Sender = "+18005550100", SmsType = SmsType.Marketing, Recipients = { "+14155550100" } };
        var large = new CheckBatchRequest { Sender = "+18005550100", SmsType = SmsType.Marketing };
        for (var i = 0; i < 100; i++)
        {
            large.Recipients.Add("+14155550100");
        }

        var response = await client.CheckBatchAsync(small, deadline: DateTime.UtcNow.AddSeconds(30));

        // Grpc.Net.Client decompresses without a trace, so the wire is read with a plain HTTP/2 client.
        using var http = new HttpClient { DefaultRequestVersion = System.Net.HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var body = small.ToByteArray();
        var frame = new byte[5 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), body.Length);
        body.CopyTo(frame, 5);
        using var content = new ByteArrayContent(frame);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        using var request = new HttpRequestMessage(HttpMethod.Post, gate.GrpcAddress + "/optoutgate.v1.Gate/CheckBatch")
        {
            Content = content,
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TryAddWithoutValidation("grpc-accept-encoding", "gzip");
        using var raw = await http.SendAsync(request);
        var answer = await raw.Content.ReadAsByteArrayAsync();
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.CheckBatchAsync(large, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);

        Assert.Equal([Verdict.Allowed], response.Verdicts);
        Assert.Equal("gzip", raw.Headers.GetValues("grpc-encoding").Single());
        Assert.Equal(1, answer[0]); // the message's compressed flag
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
    }
}
