using Xunit;

namespace OptOutGate.Rpc.Tests.Interop;

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
        {_fixture.Server.DescribeProblems().TrimEnd()}
        """;
}
