using Microsoft.Extensions.Logging;

namespace OptOutGate.Server.Tests.Grpc.Interop;

/// <summary>
/// The independent interop clients (python grpcio, node grpc-js) against <see cref="InteropService"/> on the project's
/// server layer: one test per client per case, plus one per client for the whole run (exit code and summary).
/// </summary>
public sealed class InteropTests : IClassFixture<InteropFixture>
{
    private readonly InteropFixture _fixture;

    public InteropTests(InteropFixture fixture)
    {
        _fixture = fixture;
    }

    public static TheoryData<string> Cases => new(InteropFixture.Cases);

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Python_client_case_passes(string testCase) => AssertCasePassedAsync(InteropClient.Python, testCase);

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Node_client_case_passes(string testCase) => AssertCasePassedAsync(InteropClient.Node, testCase);

    [Fact]
    public Task Python_client_passes_every_case_and_exits_0() => AssertRunPassedAsync(InteropClient.Python);

    [Fact]
    public Task Node_client_passes_every_case_and_exits_0() => AssertRunPassedAsync(InteropClient.Node);

    [Fact]
    public async Task Server_logs_no_error_while_serving_both_clients()
    {
        // Cancellations, deadlines and echoed statuses are the clients' doing: the layer must take them in its stride
        // (Debug at most), not report them as failures of the application.
        foreach (var client in Enum.GetValues<InteropClient>())
        {
            await _fixture.RunOf(client);
        }

        var errors = _fixture.Server.Describe(LogLevel.Error);
        Assert.True(errors.Length == 0, "The interop server logged errors:" + Environment.NewLine + errors);
    }

    private async Task AssertCasePassedAsync(InteropClient client, string testCase)
    {
        var run = await _fixture.RunOf(client);
        var line = run.LineFor(testCase);

        // Exit code 1 only says some case failed; this case's own line decides, so one bad case fails one test.
        if (run.Problem is not null || run.ExitCode is not (0 or 1) || line != "OK: " + testCase)
        {
            Assert.Fail(Explain(client, run, $"case {testCase}: {line ?? "no line for it in the output"}"));
        }
    }

    private async Task AssertRunPassedAsync(InteropClient client)
    {
        var run = await _fixture.RunOf(client);
        var summary = $"{InteropFixture.Cases.Length} passed, 0 failed, 0 skipped";
        if (run.Problem is not null || run.ExitCode != 0 || !run.Stdout.Contains(summary, StringComparison.Ordinal))
        {
            Assert.Fail(Explain(client, run, $"expected exit code 0 and \"{summary}\""));
        }
    }

    private string Explain(InteropClient client, InteropClientRun run, string what) =>
        $"""
        {client} interop client: {what}
        {run.Describe()}
        --- server warnings and errors ---
        {_fixture.Server.Describe(LogLevel.Warning).TrimEnd()}
        """;
}
