using System.Globalization;
using System.Text.Json;
using OptOutGate.Contracts.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Admin;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Gate;

/// <summary>
/// load-tests/python/latency_probe.py (python grpcio: the independent client behind the half-load figures) against the
/// real server: it must send a well-formed CheckBatch, read every answer, and fail when the answers are not the
/// expected ones.
/// </summary>
public sealed class LatencyProbeTests
{
    [Fact]
    public async Task Probe_ChecksEveryAnswer_AndFailsWhenTheBlockedCountDiffers()
    {
        await using var gate = await GateTestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var recipients = Enumerable.Range(0, 1_000).Select(i => "+1415" + (5_000_000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        await new AdminClient(channel, null).CallAsync<AddOptOutsRequest, AddOptOutsResponse>(
            "AddOptOuts", new AddOptOutsRequest { Sender = "PROBE", Recipients = { recipients[3], recipients[500], recipients[999] } });
        var batch = Path.Combine(Path.GetTempPath(), "probe-batch-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(batch, JsonSerializer.Serialize(new { sender = "PROBE", smsType = "SMS_TYPE_MARKETING", recipients }));
        try
        {
            var (ok, okOutput) = await RunProbeAsync(gate, batch, expectBlocked: 3);
            Assert.True(ok == 0, "probe failed:\n" + okOutput);
            Assert.Contains("failed 0, answers not as expected 0", okOutput, StringComparison.Ordinal);
            Assert.Contains("from the scheduled slot:", okOutput, StringComparison.Ordinal);

            var (wrong, wrongOutput) = await RunProbeAsync(gate, batch, expectBlocked: 4);
            Assert.True(wrong == 1, "a wrong expectation must fail the probe:\n" + wrongOutput);
            Assert.DoesNotContain("answers not as expected 0", wrongOutput, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(batch);
        }
    }

    private static Task<(int ExitCode, string Output)> RunProbeAsync(GateTestServer gate, string batch, int expectBlocked) =>
        PythonScript.RunAsync(
            Path.Combine("load-tests", "python", "latency_probe.py"),
            [
                "--address", "127.0.0.1:" + gate.Port.ToString(CultureInfo.InvariantCulture),
                "--rate", "200", "--duration", "1", "--warmup", "0.2",
                "--batch", batch, "--expect-blocked", expectBlocked.ToString(CultureInfo.InvariantCulture),
            ],
            TimeSpan.FromMinutes(2));
}
