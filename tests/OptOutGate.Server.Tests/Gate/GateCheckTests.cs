using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Gate;

/// <summary>optoutgate.v1.Gate against the real server process (no entries yet: the Admin RPCs arrive separately).</summary>
[Collection(ServerTestCollection.Name)]
public sealed class GateCheckTests
{
    private static readonly ServiceDescriptor s_gate = GateReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Gate");
    private static readonly Method<CheckBatchRequest, CheckBatchResponse> s_checkBatch = Method<CheckBatchRequest, CheckBatchResponse>.From(s_gate.FindMethodByName("CheckBatch"));
    private static readonly Method<CheckStreamRequest, CheckStreamResponse> s_checkStream = Method<CheckStreamRequest, CheckStreamResponse>.From(s_gate.FindMethodByName("CheckStream"));

    [Fact]
    public async Task CheckBatch_OnAnEmptyGate_AllowsEveryValidRecipient_AndMarksBadOnesInOrder()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var request = Batch("+14155550100", "14155550101", "+14155550102", "+0123456789", "+1 415 555 0103", "+141555501041234567", "+14155550100");

        var response = await channel.UnaryAsync(s_checkBatch, request, Deadline());

        Assert.Equal(
            [Verdict.Allowed, Verdict.InvalidRecipient, Verdict.Allowed, Verdict.InvalidRecipient, Verdict.InvalidRecipient, Verdict.InvalidRecipient, Verdict.Allowed],
            response.Verdicts);
        Assert.Equal(3u, response.Counts.Allowed);
        Assert.Equal(4u, response.Counts.InvalidRecipient);
        Assert.Equal(0u, response.Counts.BlockedOptedOut);
        Assert.Equal(0UL, response.Sequence);
        Assert.Empty(response.Explanations);
    }

    [Fact]
    public async Task CheckBatch_ValidationAndSequenceRules()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);

        // Empty batch: OK with no verdicts.
        var empty = await channel.UnaryAsync(s_checkBatch, Batch(), Deadline());
        Assert.Empty(empty.Verdicts);
        Assert.Equal(0u, empty.Counts.Allowed);

        // Exactly 10,000 is fine; 10,001 is refused whole.
        var max = Batch(Enumerable.Range(0, 10_000).Select(i => "+1415" + (5_000_000 + i)).ToArray());
        var full = await channel.UnaryAsync(s_checkBatch, max, Deadline());
        Assert.Equal(10_000, full.Verdicts.Count);
        Assert.Equal(10_000u, full.Counts.Allowed);
        max.Recipients.Add("+14155550100");
        var tooMany = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(s_checkBatch, max, Deadline()));
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);
        Assert.Contains("recipients", tooMany.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("10,000", tooMany.Status.Detail, StringComparison.Ordinal);

        await AssertInvalidAsync(channel, new CheckBatchRequest { Sender = "ACME", Recipients = { "+14155550100" } }, "sms_type");
        await AssertInvalidAsync(channel, new CheckBatchRequest { Sender = "ACME", SmsType = (SmsType)9 }, "sms_type");
        await AssertInvalidAsync(channel, new CheckBatchRequest { SmsType = SmsType.Marketing }, "sender");
        await AssertInvalidAsync(channel, new CheckBatchRequest { Sender = new string('S', 33), SmsType = SmsType.Marketing }, "sender");
        await AssertInvalidAsync(channel, new CheckBatchRequest { Sender = "ACME", App = new string('a', 65), SmsType = SmsType.Marketing }, "app");

        // 32 code points of 2 UTF-16 units each is still 32 characters.
        var emoji = string.Concat(Enumerable.Repeat("😀", 32));
        var ok = await channel.UnaryAsync(s_checkBatch, new CheckBatchRequest { Sender = emoji, App = new string('a', 64), SmsType = SmsType.Marketing }, Deadline());
        Assert.Empty(ok.Verdicts);

        // min_sequence beyond the head: OUT_OF_RANGE; at the head (0 here): answered.
        var beyond = Batch("+14155550100");
        beyond.MinSequence = 5;
        var outOfRange = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(s_checkBatch, beyond, Deadline()));
        Assert.Equal(StatusCode.OutOfRange, outOfRange.StatusCode);
        Assert.Contains("min_sequence", outOfRange.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckBatch_ConfirmationWithoutAWindow_IsBlocked()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var request = Batch("+14155550100", "bad");
        request.SmsType = SmsType.Confirmation;
        request.Explain = true;

        var response = await channel.UnaryAsync(s_checkBatch, request, Deadline());

        Assert.Equal([Verdict.BlockedConfirmation, Verdict.InvalidRecipient], response.Verdicts);
        Assert.Equal(2, response.Explanations.Count);
        Assert.Equal(0u, response.Explanations[0].Index);
        Assert.Equal(Verdict.BlockedConfirmation, response.Explanations[0].Verdict);
        Assert.Null(response.Explanations[0].Entry);
        Assert.Equal(1u, response.Explanations[1].Index);
        Assert.Equal(Verdict.InvalidRecipient, response.Explanations[1].Verdict);
    }

    [Fact]
    public async Task GarbageRequest_IsInternal_AndTheServerKeepsServing()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var garbage = new Method<GarbageRequest, CheckBatchResponse>(MethodType.Unary, "optoutgate.v1.Gate", "CheckBatch");

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(garbage, new GarbageRequest(), Deadline()));
        Assert.Equal(StatusCode.Internal, error.StatusCode);

        var after = await channel.UnaryAsync(s_checkBatch, Batch("+14155550100"), Deadline());
        Assert.Equal([Verdict.Allowed], after.Verdicts);
    }

    [Fact]
    public async Task CheckStream_AnswersEveryRequest_ErrorsPerRequest_AndWaitingOnesDoNotHoldBackLaterOnes()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        using var call = channel.DuplexStreamingCall(s_checkStream, Deadline(60));

        // 1: fine. 2: no batch. 3: invalid sender. 4: min_sequence beyond the head. 5: a negative max_wait.
        // 6: fine, with three recipients.
        await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 1, Batch = Batch("+14155550100") });
        await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 2 });
        await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 3, Batch = new CheckBatchRequest { SmsType = SmsType.Marketing } });
        var beyond = Batch("+14155550100");
        beyond.MinSequence = 1;
        await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 4, Batch = beyond });
        await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 5, Batch = beyond, MaxWait = Duration.FromTimeSpan(TimeSpan.FromSeconds(-1)) });
        await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 6, Batch = Batch("+14155550100", "x", "+14155550101") });
        await call.RequestStream.CompleteAsync();

        var responses = new Dictionary<ulong, CheckStreamResponse>();
        while (await call.ResponseStream.MoveNextAsync())
        {
            responses.Add(call.ResponseStream.Current.RequestId, call.ResponseStream.Current);
        }

        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
        Assert.Equal(new ulong[] { 1, 2, 3, 4, 5, 6 }, responses.Keys.Order());
        Assert.Equal([Verdict.Allowed], responses[1].Batch.Verdicts);
        Assert.Equal((int)StatusCode.InvalidArgument, responses[2].Error.Code);
        Assert.Contains("batch", responses[2].Error.Message, StringComparison.Ordinal);
        Assert.Equal((int)StatusCode.InvalidArgument, responses[3].Error.Code);
        Assert.Contains("sender", responses[3].Error.Message, StringComparison.Ordinal);
        Assert.Equal((int)StatusCode.OutOfRange, responses[4].Error.Code);
        Assert.Equal((int)StatusCode.InvalidArgument, responses[5].Error.Code);
        Assert.Contains("max_wait", responses[5].Error.Message, StringComparison.Ordinal);
        Assert.Equal([Verdict.Allowed, Verdict.InvalidRecipient, Verdict.Allowed], responses[6].Batch.Verdicts);
    }

    [Fact]
    public async Task CheckStream_ManyPipelinedBatches_AllAnswered()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        using var call = channel.DuplexStreamingCall(s_checkStream, Deadline(60));
        const int count = 500;
        var batch = Batch(Enumerable.Range(0, 100).Select(i => "+4420" + (70_000_000 + i)).ToArray());

        // Send everything before reading anything: the server must not stall on its own output.
        var sending = Task.Run(async () =>
        {
            for (ulong id = 1; id <= count; id++)
            {
                await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = id, Batch = batch });
            }

            await call.RequestStream.CompleteAsync();
        });

        var seen = new HashSet<ulong>();
        while (await call.ResponseStream.MoveNextAsync())
        {
            var response = call.ResponseStream.Current;
            Assert.True(seen.Add(response.RequestId));
            Assert.Equal(100u, response.Batch.Counts.Allowed);
        }

        await sending;
        Assert.Equal(count, seen.Count);
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task CheckStream_EndsWithUnavailable_WhenTheServerDrains()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        using var call = channel.DuplexStreamingCall(s_checkStream, Deadline(60));
        await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 1, Batch = Batch("+14155550100") });
        Assert.True(await call.ResponseStream.MoveNextAsync());
        Assert.Equal(1UL, call.ResponseStream.Current.RequestId);

        gate.Terminate();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNextAsync())
            {
            }
        });
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        await gate.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, gate.ExitCode);
    }

    [Fact]
    public async Task Restart_ServesAgainAfterRecovery_WithTheSameDataFolder()
    {
        string data;
        await using (var first = await GateProcess.StartAsync())
        {
            data = first.DataDirectory;
            first.Terminate();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("Gate engine closed", first.Output, StringComparison.Ordinal);
        }

        await using var second = await GateProcess.StartAsync(dataDirectory: data);
        Assert.Contains("Gate engine open", second.Output, StringComparison.Ordinal);
        using var channel = GrpcChannel.ForAddress(second.GrpcAddress);
        var response = await channel.UnaryAsync(s_checkBatch, Batch("+14155550100"), Deadline());
        Assert.Equal([Verdict.Allowed], response.Verdicts);
    }

    private static async Task AssertInvalidAsync(GrpcChannel channel, CheckBatchRequest request, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(s_checkBatch, request, Deadline()));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail, StringComparison.Ordinal);
    }

    private static CheckBatchRequest Batch(params string[] recipients)
    {
        var request = new CheckBatchRequest { Sender = "+18005550100", SmsType = SmsType.Marketing };
        request.Recipients.Add(recipients);
        return request;
    }

    private static CallOptions Deadline(int seconds = 15) => new(Deadline: DateTime.UtcNow.AddSeconds(seconds));
}
