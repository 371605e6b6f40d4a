using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Gate;

/// <summary>optoutgate.v1.Gate against the real gate (in process; a process of its own where it drains on SIGTERM).</summary>
public sealed class GateCheckTests
{

    [Fact]
    public async Task CheckBatch_OnAnEmptyGate_AllowsEveryValidRecipient_AndMarksBadOnesInOrder()
    {
        await using var gate = await GateTestServer.StartAsync();
        var client = gate.Gate;
        var request = Batch("+14155550100", "14155550101", "+14155550102", "+0123456789", "+1 415 555 0103", "+141555501041234567", "+14155550100");

        var response = await client.CheckBatchAsync(request, Deadline()).ResponseAsync;

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
        await using var gate = await GateTestServer.StartAsync();
        var client = gate.Gate;

        // Empty batch: OK with no verdicts.
        var empty = await client.CheckBatchAsync(Batch(), Deadline()).ResponseAsync;
        Assert.Empty(empty.Verdicts);
        Assert.Equal(0u, empty.Counts.Allowed);

        // Exactly 10,000 is fine; 10,001 is refused whole.
        var max = Batch(Enumerable.Range(0, 10_000).Select(i => "+1415" + (5_000_000 + i)).ToArray());
        var full = await client.CheckBatchAsync(max, Deadline()).ResponseAsync;
        Assert.Equal(10_000, full.Verdicts.Count);
        Assert.Equal(10_000u, full.Counts.Allowed);
        max.Recipients.Add("+14155550100");
        var tooMany = await Assert.ThrowsAsync<RpcException>(() => client.CheckBatchAsync(max, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);
        Assert.Contains("recipients", tooMany.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("10,000", tooMany.Status.Detail, StringComparison.Ordinal);

        await AssertInvalidAsync(client, new CheckBatchRequest { Sender = "ACME", Recipients = { "+14155550100" } }, "sms_type");
        await AssertInvalidAsync(client, new CheckBatchRequest { Sender = "ACME", SmsType = (SmsType)9 }, "sms_type");
        await AssertInvalidAsync(client, new CheckBatchRequest { SmsType = SmsType.Marketing }, "sender");
        await AssertInvalidAsync(client, new CheckBatchRequest { Sender = new string('S', 33), SmsType = SmsType.Marketing }, "sender");
        await AssertInvalidAsync(client, new CheckBatchRequest { Sender = "ACME", App = new string('a', 65), SmsType = SmsType.Marketing }, "app");

        // 32 code points of 2 UTF-16 units each is still 32 characters.
        var emoji = string.Concat(Enumerable.Repeat("😀", 32));
        var ok = await client.CheckBatchAsync(new CheckBatchRequest { Sender = emoji, App = new string('a', 64), SmsType = SmsType.Marketing }, Deadline()).ResponseAsync;
        Assert.Empty(ok.Verdicts);

        // min_sequence beyond the head: OUT_OF_RANGE; at the head (0 here): answered.
        var beyond = Batch("+14155550100");
        beyond.MinSequence = 5;
        var outOfRange = await Assert.ThrowsAsync<RpcException>(() => client.CheckBatchAsync(beyond, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.OutOfRange, outOfRange.StatusCode);
        Assert.Contains("min_sequence", outOfRange.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckBatch_ConfirmationWithoutAWindow_IsBlocked()
    {
        await using var gate = await GateTestServer.StartAsync();
        var client = gate.Gate;
        var request = Batch("+14155550100", "bad");
        request.SmsType = SmsType.Confirmation;
        request.Explain = true;

        var response = await client.CheckBatchAsync(request, Deadline()).ResponseAsync;

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
        await using var gate = await GateTestServer.StartAsync();
        var client = gate.Gate;
        var error = await Assert.ThrowsAsync<RpcException>(() => gate.Channel.CreateCallInvoker().AsyncUnaryCall(GarbageRequest.AsCheckBatch, null, Deadline(), new GarbageRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Internal, error.StatusCode);

        var after = await client.CheckBatchAsync(Batch("+14155550100"), Deadline()).ResponseAsync;
        Assert.Equal([Verdict.Allowed], after.Verdicts);
    }

    [Fact]
    public async Task CheckStream_AnswersEveryRequest_ErrorsPerRequest_AndWaitingOnesDoNotHoldBackLaterOnes()
    {
        await using var gate = await GateTestServer.StartAsync();
        var client = gate.Gate;
        using var call = client.CheckStream(Deadline(60));

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
        while (await call.ResponseStream.MoveNext())
        {
            responses.Add(call.ResponseStream.Current.RequestId, call.ResponseStream.Current);
        }

        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
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
        await using var gate = await GateTestServer.StartAsync();
        var client = gate.Gate;
        using var call = client.CheckStream(Deadline(60));
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
        while (await call.ResponseStream.MoveNext())
        {
            var response = call.ResponseStream.Current;
            Assert.True(seen.Add(response.RequestId));
            Assert.Equal(100u, response.Batch.Counts.Allowed);
        }

        await sending;
        Assert.Equal(count, seen.Count);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task CheckStream_AnswersABurstWhole_WhileTheStreamStaysOpen()
    {
        // The gate writes a burst of answers with one flush at its end: every answer must reach the client while the
        // request side is still open (no answer may wait for a later request, or for the end of the stream).
        await using var gate = await GateTestServer.StartAsync();
        using var call = gate.Gate.CheckStream(Deadline(60));
        var batch = Batch("+14155550100", "+447400123456");
        for (var burst = 1; burst <= 3; burst++)
        {
            var size = burst * 100;
            for (var i = 0; i < size; i++)
            {
                await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = (ulong)((burst * 1000) + i), Batch = batch });
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var answered = new HashSet<ulong>();
            while (answered.Count < size && await call.ResponseStream.MoveNext(timeout.Token))
            {
                Assert.True(answered.Add(call.ResponseStream.Current.RequestId));
                Assert.Equal(2u, call.ResponseStream.Current.Batch.Counts.Allowed);
            }

            Assert.Equal(size, answered.Count);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task CheckStream_EndsWithUnavailable_WhenTheServerDrains()
    {
        await using var gate = await GateTestServer.StartAsync();
        var client = gate.Gate;
        using var call = client.CheckStream(Deadline(60));
        await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 1, Batch = Batch("+14155550100") });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(1UL, call.ResponseStream.Current.RequestId);

        // What SIGTERM starts in the process (its exit code: StartupAndShutdownTests).
        var stopping = gate.StopAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
            }
        });
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        // What the gate sent: the stream's trailers with UNAVAILABLE and the draining message.
        Assert.Contains("Error status code 'Unavailable' with detail 'OptOutGate is shutting down", gate.Output, StringComparison.Ordinal);

        // What this client read: UNAVAILABLE, except in one race of .NET's HTTP/2 client (SocketsHttpHandler) that no
        // server can prevent: the gate closes the connection right after the last stream's trailers (graceful
        // shutdown), and when the connection's end is processed before this reader wakes while the call's request
        // side is still open (this test never completes it, as a streaming dispatcher would not), the stream is
        // reset and its buffered trailers are dropped (Http2Stream.OnReset keeps them only once both sides are
        // complete). grpc-dotnet then reports INTERNAL for the closed connection. Seen under full-suite load.
        var lostTrailers = error.StatusCode == StatusCode.Internal
            && error.Status.DebugException is System.Net.Http.HttpProtocolException { ErrorCode: 0 };
        Assert.True(
            error.StatusCode == StatusCode.Unavailable || lostTrailers,
            $"Expected UNAVAILABLE, got {error.Status} (debug: {error.Status.DebugException})");
        if (!lostTrailers)
        {
            Assert.StartsWith("OptOutGate is shutting down", error.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Restart_ServesAgainAfterRecovery_WithTheSameDataFolder()
    {
        var first = await GateTestServer.StartAsync();
        await first.StopAsync();
        Assert.Contains("Gate engine closed", first.Output, StringComparison.Ordinal);

        await using var second = await first.RestartAsync();
        Assert.Contains("Gate engine open", second.Output, StringComparison.Ordinal);
        var response = await second.Gate.CheckBatchAsync(Batch("+14155550100"), Deadline()).ResponseAsync;
        Assert.Equal([Verdict.Allowed], response.Verdicts);
    }

    private static async Task AssertInvalidAsync(GateRpcClient client, CheckBatchRequest request, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => client.CheckBatchAsync(request, Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail, StringComparison.Ordinal);
    }

    private static CheckBatchRequest Batch(params string[] recipients)
    {
        var request = new CheckBatchRequest { Sender = "+18005550100", SmsType = SmsType.Marketing };
        request.Recipients.Add(recipients);
        return request;
    }

    private static CallOptions Deadline(int seconds = 15) => new(deadline: DateTime.UtcNow.AddSeconds(seconds));
}
