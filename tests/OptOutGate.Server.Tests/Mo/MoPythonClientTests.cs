using System.Globalization;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Mo;

/// <summary>tests/interop/python/stream_mo_client.py (python grpcio, an independent carrier adapter) against the real server.</summary>
public sealed class MoPythonClientTests
{
    [Fact]
    public async Task PythonCarrierAdapter_StreamsMoMessages_AndEveryResultChecksOut()
    {
        await using var gate = await GateTestServer.StartAsync();
        var (exitCode, output) = await PythonScript.RunAsync(
            Path.Combine("tests", "interop", "python", "stream_mo_client.py"),
            ["--port", gate.Port.ToString(CultureInfo.InvariantCulture), "--proto_root", Path.Combine(GateProcess.RepositoryRoot(), "protos"), "--count", "900"],
            TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 0, "python client failed:\n" + output);
        Assert.Contains("OK: every result matches its message", output, StringComparison.Ordinal);
        Assert.Contains("OK: a malformed message gets INVALID_ARGUMENT and the stream goes on", output, StringComparison.Ordinal);
        Assert.Contains(" 0 failed", output, StringComparison.Ordinal);
    }
}
