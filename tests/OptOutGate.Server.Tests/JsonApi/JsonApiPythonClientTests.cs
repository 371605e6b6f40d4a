using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.JsonApi;

/// <summary>tests/interop/python/rest_client.py (Python's standard library only: urllib, json, csv) against the real gate.</summary>
public sealed class JsonApiPythonClientTests(JsonApiFixture fixture) : IClassFixture<JsonApiFixture>
{
    [Fact]
    public async Task PythonStandardLibraryClient_AddsChecksListsExports_AndMeetsTheErrors()
    {
        var (exitCode, output) = await PythonScript.RunAsync(
            Path.Combine("tests", "interop", "python", "rest_client.py"),
            [
                "--base", fixture.Server.HttpAddress!.ToString(),
                "--admin-key", fixture.Keys.AcmeOperator,
                "--check-key", fixture.Keys.AcmeDispatcher,
                "--read-key", fixture.Keys.AcmeAuditor,
            ],
            TimeSpan.FromMinutes(2));

        Assert.True(exitCode == 0, "python client failed:\n" + output);
        Assert.Contains("OK: download the CSV export as a file", output, StringComparison.Ordinal);
        Assert.Contains("10 passed, 0 failed", output, StringComparison.Ordinal);
    }
}
