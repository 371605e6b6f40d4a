using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Tests.Tenancy;

public sealed class KeyCommandsTests
{
    [Fact]
    public void NewKey_PrintsAKeyAndItsConfiguredHash()
    {
        using var output = new StringWriter();

        Assert.True(KeyCommands.TryRun(["new-key"], TextReader.Null, output, TextWriter.Null, out var exitCode));

        Assert.Equal(0, exitCode);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.True(ApiKeyHash.IsWellFormedKey(lines[0]));
        Assert.Equal(ApiKeyHash.ForConfiguration(lines[0]), lines[1]);
    }

    [Fact]
    public void HashKey_HashesTheLineOnStdin_WithoutItsLineEnding()
    {
        var key = ApiKeyHash.NewKey();
        using var output = new StringWriter();

        Assert.True(KeyCommands.TryRun(["hash-key"], new StringReader(key + "\r\n"), output, TextWriter.Null, out var exitCode));

        Assert.Equal(0, exitCode);
        Assert.Equal(ApiKeyHash.ForConfiguration(key), output.ToString().Trim());
    }

    [Theory]
    [InlineData("")]
    [InlineData("password")]
    [InlineData("a key with spaces in it that is long enough")]
    public void HashKey_RefusesAWeakOrMalformedKey(string key)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.True(KeyCommands.TryRun(["hash-key"], new StringReader(key), output, error, out var exitCode));

        Assert.Equal(2, exitCode);
        Assert.Empty(output.ToString());
        Assert.Contains("32-256 visible ASCII characters", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--Gate:Port=50052")]
    [InlineData("hash-key extra")]
    public void OtherArguments_StartTheServer(string commandLine)
    {
        var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.False(KeyCommands.TryRun(args, TextReader.Null, TextWriter.Null, TextWriter.Null, out _));
    }
}
