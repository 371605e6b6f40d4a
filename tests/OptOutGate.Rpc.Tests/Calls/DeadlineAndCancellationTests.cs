using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Tests.Echo;
using OptOutGate.Rpc.Tests.TestHost;
using Xunit;

namespace OptOutGate.Rpc.Tests.Calls;

[Collection(RpcServerCollection.Name)]
public sealed class DeadlineAndCancellationTests(RpcServerFixture server)
{
    private readonly HttpClient _http = server.Http;

    [Fact]
    public async Task Deadline_on_a_waiting_unary_handler_ends_with_deadline_exceeded_and_cancels_the_handler()
    {
        var before = server.Metrics.Count("Unary", "DEADLINE_EXCEEDED");
        var errorsBefore = server.Logs.Entries.Count(e => e.Level >= LogLevel.Error);
        var request = new EchoRequest { Mode = "wait", Id = Guid.NewGuid().ToString() };
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(request), "application/grpc", ("grpc-timeout", "50m")));

        Assert.Equal("4", response.Status);
        Assert.Equal("Deadline Exceeded", response.Message);
        Assert.True(response.IsTrailersOnly);
        Assert.Equal("application/grpc", response.Headers["content-type"]);
        await server.Probe.WaitAsync(request.Id, "cancelled");

        // The handler's late OperationCanceledException must not turn into a second status or an error.
        await server.Metrics.WaitForFinishedAsync("Unary", "DEADLINE_EXCEEDED", before);
        Assert.Equal(errorsBefore, server.Logs.Entries.Count(e => e.Level >= LogLevel.Error));
        Assert.DoesNotContain(server.Logs.Entries, e => e.EventName == "DeadlineCompletionFailed");
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Fact]
    public async Task Deadline_after_streamed_messages_sends_deadline_exceeded_in_trailers()
    {
        var request = new EchoRequest { Mode = "wait", Id = Guid.NewGuid().ToString(), Count = 2, Text = "tick" };
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.ServerStreamPath, RawGrpc.Frame(request), "application/grpc", ("grpc-timeout", "500m")));

        Assert.Equal(2, response.Messages.Count);
        Assert.False(response.Headers.ContainsKey("grpc-status"));
        Assert.Equal("4", response.Trailers["grpc-status"]);
        await server.Probe.WaitAsync(request.Id, "cancelled");
        Assert.DoesNotContain(server.Logs.Entries, e => e.EventName == "DeadlineCompletionFailed");
        await RawGrpc.AssertServerHealthyAsync(_http);
    }

    [Theory]
    [InlineData("0m")]
    [InlineData("0S")]
    public async Task Zero_timeout_is_already_expired_and_the_handler_never_runs(string timeout)
    {
        var request = new EchoRequest { Id = Guid.NewGuid().ToString(), Text = "late" };
        var response = await RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(request), "application/grpc", ("grpc-timeout", timeout)));

        Assert.Equal("4", response.Status);
        Assert.True(response.IsTrailersOnly);
        Assert.False(server.Probe.HasFired(request.Id, "started"));
    }

    [Fact]
    public async Task Invalid_timeout_is_ignored()
    {
        var response = await RawGrpc.SendAsync(
            _http,
            RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(new EchoRequest { Text = "ok" }), "application/grpc", ("grpc-timeout", "soon")));

        Assert.Equal("0", response.Status);
    }

    [Fact]
    public async Task Client_reset_cancels_the_handler_token_and_ends_as_cancelled_without_an_error_log()
    {
        var before = server.Metrics.Count("Unary", "CANCELLED");
        var errorsBefore = server.Logs.Entries.Count(e => e.Level >= LogLevel.Error);
        var request = new EchoRequest { Mode = "wait", Id = Guid.NewGuid().ToString() };
        using var cts = new CancellationTokenSource();
        var call = RawGrpc.SendAsync(_http, RawGrpc.Request(RawGrpc.UnaryPath, RawGrpc.Frame(request)), cts.Token);
        await server.Probe.WaitAsync(request.Id, "started");

        // Cancelling a pending SendAsync makes HttpClient send RST_STREAM(CANCEL).
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        await server.Probe.WaitAsync(request.Id, "cancelled");
        await server.Metrics.WaitForFinishedAsync("Unary", "CANCELLED", before);
        Assert.Equal(errorsBefore, server.Logs.Entries.Count(e => e.Level >= LogLevel.Error));
        await RawGrpc.AssertServerHealthyAsync(_http);
    }
}
