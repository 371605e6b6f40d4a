using System.Globalization;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Gate;

/// <summary>
/// tests/interop/python/check_stream_client.py (python grpcio, an independent dispatcher) against the real server:
/// hundreds of pipelined CheckStream requests, some of them raw bytes that only protobuf's merge and skip rules give a
/// meaning to, every answer checked against python's own reading of the request.
/// </summary>
public sealed class CheckStreamPythonClientTests
{
    [Fact]
    public async Task PythonDispatcher_PipelinesCheckStream_AndEveryAnswerIsWhatItsRequestMeans()
    {
        await using var gate = await GateTestServer.StartAsync();
        var (exitCode, output) = await PythonScript.RunAsync(
            Path.Combine("tests", "interop", "python", "check_stream_client.py"),
            ["--port", gate.Port.ToString(CultureInfo.InvariantCulture), "--proto_root", Path.Combine(GateProcess.RepositoryRoot(), "protos"), "--requests", "400"],
            TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 0, "python client failed:\n" + output);
        Assert.Contains("OK: every answer is what the request means", output, StringComparison.Ordinal);
        Assert.Contains("OK: the batch in two pieces is answered as one merged batch", output, StringComparison.Ordinal);
        Assert.Contains("OK: a max_wait that is not a Duration gets INVALID_ARGUMENT naming max_wait", output, StringComparison.Ordinal);
        Assert.Contains(" 0 failed", output, StringComparison.Ordinal);
    }
}
