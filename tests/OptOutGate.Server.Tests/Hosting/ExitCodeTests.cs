using System.Net;
using System.Net.Sockets;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Hosting;

/// <summary>
/// The real server process's exit codes and messages (README, "Exit codes"): a supervisor must be able to tell a clean
/// stop (0) from bad configuration (1, every bad setting listed, no stack trace) and from a fatal failure (2).
/// </summary>
[Collection(GateProcessesCollection.Name)]
public sealed class ExitCodeTests
{
    [Fact]
    public async Task BadSettingsInEverySection_ExitOne_ListingEachBadSetting_WithoutAStackTrace()
    {
        await using var gate = GateProcess.StartRaw(new Dictionary<string, string>
        {
            ["Gate:Port"] = "abc",
            ["Gate:MetricsPort"] = "-1",
            ["Gate:HttpPort"] = "-1",
            ["Gate:ListenAddress"] = "0.0.0.0",
            ["Replication:Role"] = "Replica",
            ["Engine:CheckpointEveryRecords"] = "-5",
            ["Engine:CheckpointEvryRecords"] = "5",
            ["Mo:DuplicateWindow"] = "00:00:00",
            ["Rpc:MaxReceiveMessageSize"] = "0",
            ["Engine:Log:PageSizeBits"] = "8",
        });

        await gate.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.Configuration, gate.ExitCode);
        var output = gate.Output;
        Assert.Contains("OptOutGate did not start: 9 bad setting(s)", output, StringComparison.Ordinal);
        Assert.Contains("Gate:Port 'abc' is not a whole number", output, StringComparison.Ordinal);
        Assert.Contains("Gate:ListenAddress '0.0.0.0' listens beyond loopback, but no API keys are configured", output, StringComparison.Ordinal);
        Assert.Contains("Replication:PrimaryAddress must be an absolute http:// or https:// address for Role=Replica", output, StringComparison.Ordinal);
        Assert.Contains("Engine:CheckpointEveryRecords must not be negative (was -5)", output, StringComparison.Ordinal);
        Assert.Contains("Engine:CheckpointEvryRecords is not a setting of OptOutGate", output, StringComparison.Ordinal);
        Assert.Contains("Mo:DuplicateWindow must be positive", output, StringComparison.Ordinal);
        Assert.Contains("Rpc:MaxReceiveMessageSize must be positive", output, StringComparison.Ordinal);
        Assert.Contains("Engine:Log:PageSizeBits must be 12..28 (was 8)", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Theory]
    [InlineData("Gate:ShutdownTimeout", "soon", "Gate:ShutdownTimeout 'soon' is not a time span")]
    [InlineData("Replication:Bootstrap", "Copy", "Replication:Bootstrap 'Copy' is not one of Snapshot, Log")]
    [InlineData("Engine:CheckpointOnDispose", "maybe", "Engine:CheckpointOnDispose 'maybe' is not true or false")]
    [InlineData("Gate:MaxConnections", "0", "Gate:MaxConnections 0 must be at least 1")]
    [InlineData("Gate:KeepAliveTimeout", "00:00:00.5", "Gate:KeepAliveTimeout 00:00:00.5000000 is outside 1 s to 1 hour")]
    public async Task OneBadSetting_ExitsOne_NamingIt(string key, string value, string expected)
    {
        await using var gate = GateProcess.StartRaw(new Dictionary<string, string>
        {
            ["Gate:Port"] = "0",
            ["Gate:MetricsPort"] = "-1",
            ["Gate:HttpPort"] = "-1",
            [key] = value,
        });

        await gate.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.Configuration, gate.ExitCode);
        Assert.Contains(expected, gate.Output, StringComparison.Ordinal);
        AssertNoStackTrace(gate.Output);
    }

    [Fact]
    public async Task DataFolderWhoseLogIsAFile_EngineCannotOpen_ExitsTwo_NamingTheFile()
    {
        var data = Directory.CreateTempSubdirectory("optoutgate-exit-").FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "log"), "not a folder");
        await using var gate = await GateProcess.StartAsync(dataDirectory: data, waitUntilServing: false);

        await gate.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.Fatal, gate.ExitCode);
        Assert.Contains("The gate engine could not be opened (The file '" + Path.Combine(data, "log") + "' already exists.); stopping with exit code 2", gate.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Gate readiness is now Serving", gate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortTakenByAnotherProcess_ExitsTwo_SayingSo()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var gate = GateProcess.StartRaw(new Dictionary<string, string>
        {
            ["Gate:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gate:MetricsPort"] = "-1",
            ["Gate:HttpPort"] = "-1",
            ["Gate:DataDirectory"] = Directory.CreateTempSubdirectory("optoutgate-exit-").FullName,
        });

        await gate.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.Fatal, gate.ExitCode);
        Assert.Contains("OptOutGate could not start: Failed to bind to address http://127.0.0.1:" + port, gate.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", gate.Output, StringComparison.Ordinal);
    }

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
