using System.Diagnostics;
using System.Globalization;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Mo;

/// <summary>tests/interop/python/stream_mo_client.py (python grpcio, an independent carrier adapter) against the real server.</summary>
[Collection(ServerTestCollection.Name)]
public sealed class MoPythonClientTests
{
    [Fact]
    public async Task PythonCarrierAdapter_StreamsMoMessages_AndEveryResultChecksOut()
    {
        await using var gate = await GateProcess.StartAsync();
        var root = GateProcess.RepositoryRoot();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("OPTOUTGATE_PYTHON") is { Length: > 0 } python ? python : "/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.ArgumentList.Add(Path.Combine(root, "tests", "interop", "python", "stream_mo_client.py"));
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(gate.Port.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--proto_root");
        start.ArgumentList.Add(Path.Combine(root, "protos"));
        start.ArgumentList.Add("--count");
        start.ArgumentList.Add("900");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        var output = await stdout + await stderr;

        Assert.True(process.ExitCode == 0, "python client failed:\n" + output);
        Assert.Contains("OK: every result matches its message", output, StringComparison.Ordinal);
        Assert.Contains("OK: a malformed message gets INVALID_ARGUMENT and the stream goes on", output, StringComparison.Ordinal);
        Assert.Contains(" 0 failed", output, StringComparison.Ordinal);
    }
}
