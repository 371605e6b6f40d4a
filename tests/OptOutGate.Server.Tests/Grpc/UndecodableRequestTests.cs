using System.Globalization;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Grpc;

/// <summary>
/// tests/interop/python/undecodable_request_client.py (python grpcio, an independent gRPC implementation) sends bytes
/// that are not a protobuf message to unary, server-streaming, client-streaming and bidirectional methods of the real
/// server. common.proto promises gRPC's own convention for them (statuscodes.md: "Error parsing request proto" is
/// INTERNAL, never INVALID_ARGUMENT), so any server that takes this one's place must answer the same.
/// </summary>
public sealed class UndecodableRequestTests
{
    [Fact]
    public async Task UndecodableRequestBytes_AnswerInternal_OnEveryKindOfCall_AndTheServerKeepsServing()
    {
        await using var gate = await GateTestServer.StartAsync();

        var (exitCode, output) = await PythonScript.RunAsync(
            Path.Combine("tests", "interop", "python", "undecodable_request_client.py"),
            ["--port", gate.Port.ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromMinutes(2));

        Assert.True(exitCode == 0, "python client failed:\n" + output);
        Assert.Contains("OK: /optoutgate.v1.Gate/CheckBatch, truncated length-delimited field: INTERNAL", output, StringComparison.Ordinal);
        Assert.Contains("OK: /optoutgate.v1.Mo/StreamMo, wire type 7: INTERNAL", output, StringComparison.Ordinal);
        Assert.Contains("OK: health still SERVING after undecodable requests", output, StringComparison.Ordinal);
        Assert.Contains("42 passed, 0 failed", output, StringComparison.Ordinal);
    }
}
