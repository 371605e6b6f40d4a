using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Gate;

/// <summary>
/// CheckBatch as the server binds it (its codec's marshallers on /optoutgate.v1.Gate/CheckBatch), called the way a
/// dispatcher calls it: the generated GateClient over Grpc.Net.Client, nothing else.
/// </summary>
public sealed class CheckBatchMarshallerTests
{
    private const string Sender = "+18005550100";

    [Fact]
    public async Task GeneratedClient_GetsVerdictsCountsAndExplanations_ThatTheGeneratedClassesDecode()
    {
        await using var gate = await GateTestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var admin = new Contracts.V1.Admin.AdminClient(channel);
        var optOut = new AddOptOutsRequest { Scope = Scope.Sender, Sender = Sender, Reason = "test" };
        optOut.Recipients.Add("+14155550101");
        var added = await admin.AddOptOutsAsync(optOut, deadline: Soon());
        var client = new Contracts.V1.Gate.GateClient(channel);
        var request = new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Marketing, Explain = true, MinSequence = added.Sequence };
        request.Recipients.Add(["+14155550100", "+14155550101", "not a number"]);

        var response = await client.CheckBatchAsync(request, deadline: Soon());

        Assert.Equal([Verdict.Allowed, Verdict.BlockedOptedOut, Verdict.InvalidRecipient], response.Verdicts);
        Assert.Equal(1u, response.Counts.Allowed);
        Assert.Equal(1u, response.Counts.BlockedOptedOut);
        Assert.Equal(1u, response.Counts.InvalidRecipient);
        Assert.True(response.Sequence >= added.Sequence);
        Assert.Contains(response.Explanations, e => e.Index == 1 && e.Verdict == Verdict.BlockedOptedOut);
    }

    [Fact]
    public async Task LargestBatch_GzipRequest_AndOversizeRequest_AnswerAsTheContractSays()
    {
        await using var gate = await GateTestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var client = new Contracts.V1.Gate.GateClient(channel);
        var largest = new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Notification };
        for (var i = 0; i < 10_000; i++)
        {
            largest.Recipients.Add("+1415555" + (1000 + (i % 9000)).ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
        }

        // 10,000 recipients: a request of ~140 KB, which arrives in more than one buffer.
        var whole = await client.CheckBatchAsync(largest, deadline: Soon());
        var gzip = await client.CheckBatchAsync(largest, new Metadata { { "grpc-internal-encoding-request", "gzip" } }, Soon());
        largest.Recipients.Add("+14155550100");
        var tooMany = await Assert.ThrowsAsync<RpcException>(() => client.CheckBatchAsync(largest, deadline: Soon()).ResponseAsync);
        var huge = new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Notification, App = new string('a', 5 * 1024 * 1024) };
        var oversize = await Assert.ThrowsAsync<RpcException>(() => client.CheckBatchAsync(huge, deadline: Soon()).ResponseAsync);

        Assert.Equal(10_000, whole.Verdicts.Count);
        Assert.All(whole.Verdicts, v => Assert.Equal(Verdict.Allowed, v));
        Assert.Equal(whole, gzip);
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);
        Assert.Contains("at most 10,000 per batch", tooMany.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.ResourceExhausted, oversize.StatusCode);
    }

    [Fact]
    public async Task BytesThatAreNotACheckBatchRequest_AnswerInternal_AndTheNextCallIsServed()
    {
        await using var gate = await GateTestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var raw = new Method<byte[], byte[]>(
            MethodType.Unary, "optoutgate.v1.Gate", "CheckBatch", Marshallers.Create(static b => b, static b => b), Marshallers.Create(static b => b, static b => b));
        var invoker = channel.CreateCallInvoker();

        // Field 4 (recipients), length-delimited, claims 100 bytes where one follows.
        var error = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(raw, null, new CallOptions(deadline: Soon()), [0x22, 0x64, 0x2b]).ResponseAsync);
        var valid = new CheckBatchRequest { Sender = Sender, SmsType = SmsType.Marketing, Recipients = { "+14155550100" } };
        var answer = CheckBatchResponse.Parser.ParseFrom(await invoker.AsyncUnaryCall(raw, null, new CallOptions(deadline: Soon()), valid.ToByteArray()).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("Error parsing request message.", error.Status.Detail);
        Assert.Equal([Verdict.Allowed], answer.Verdicts);
    }

    private static DateTime Soon() => DateTime.UtcNow.AddSeconds(30);
}
