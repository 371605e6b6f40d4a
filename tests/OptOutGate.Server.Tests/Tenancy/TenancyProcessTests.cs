using System.Diagnostics;
using Grpc.Health.V1;
using Grpc.Net.Client;
using OptOutGate.Server.Tenancy;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>API keys in the real gate process: start-up rules, the key commands, and what stays open without a key.</summary>
[Collection(GateProcessesCollection.Name)]
public sealed class TenancyProcessTests
{
    [Fact]
    public async Task BeyondLoopbackWithoutKeys_StartupIsRefused_NamingTheSettingToAdd()
    {
        await using var gate = GateProcess.StartRaw(new Dictionary<string, string>
        {
            ["Gate:ListenAddress"] = "0.0.0.0",
            ["Gate:Port"] = "0",
            ["Gate:MetricsPort"] = "-1",
            ["Gate:HttpPort"] = "-1",
        });

        await gate.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, gate.ExitCode);
        Assert.Contains("Gate:ListenAddress '0.0.0.0' listens beyond loopback, but no API keys are configured", gate.Output, StringComparison.Ordinal);
        Assert.Contains("Tenancy:Tenants:<tenant-id>:Keys:<key-id>", gate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlaintextKeyInsteadOfItsHash_StartupIsRefused_WithoutPrintingTheKey()
    {
        var key = ApiKeyHash.NewKey();
        await using var gate = GateProcess.StartRaw(new Dictionary<string, string>
        {
            ["Gate:Port"] = "0",
            ["Gate:MetricsPort"] = "-1",
            ["Gate:HttpPort"] = "-1",
            ["Tenancy:Tenants:acme:Keys:dispatcher:Hash"] = key,
            ["Tenancy:Tenants:acme:Keys:dispatcher:Roles:0"] = "check",
        });

        await gate.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, gate.ExitCode);
        Assert.Contains("Tenancy:Tenants:acme:Keys:dispatcher:Hash is not 'sha256:' and 64 hex digits", gate.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, gate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysConfigured_OnEveryInterface_Starts_AndHealthNeedsNoKey()
    {
        var keys = new TestKeys();
        var settings = keys.Settings();
        settings["Gate:ListenAddress"] = "0.0.0.0";
        await using var gate = await GateTestServer.StartAsync(settings);
        var response = await gate.Health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
        Assert.Contains("API keys on: 3 tenants, 7 keys", gate.Output, StringComparison.Ordinal);
        foreach (var key in new[] { keys.AcmeDispatcher, keys.GlobexReplica, keys.InitechOperator })
        {
            Assert.DoesNotContain(key, gate.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Defaults_RunWithKeysOff_AndSaySo()
    {
        await using var gate = await GateTestServer.StartAsync();
        var response = await gate.Health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
        Assert.Contains("API keys off", gate.Output, StringComparison.Ordinal);
        Assert.Contains("tenant 'default'", gate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewKeyCommand_PrintsAKeyWhoseHashLineConfiguresTheGate()
    {
        var (exitCode, stdout) = await RunServerCommandAsync("new-key", stdin: null);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.Equal(0, exitCode);
        Assert.Equal(2, lines.Length);
        Assert.Equal(ApiKeyHash.ForConfiguration(lines[0]), lines[1]);

        var (hashExit, hashOut) = await RunServerCommandAsync("hash-key", stdin: lines[0]);
        Assert.Equal(0, hashExit);
        Assert.Equal(lines[1], hashOut.Trim());

        await using var gate = await GateTestServer.StartAsync(new Dictionary<string, string>
        {
            ["Tenancy:Tenants:acme:Keys:dispatcher:Hash"] = lines[1],
            ["Tenancy:Tenants:acme:Keys:dispatcher:Roles:0"] = "check",
        });
        Assert.Contains("API keys on: 1 tenants, 1 keys", gate.Output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stdout)> RunServerCommandAsync(string command, string? stdin)
    {
        var dll = Path.Combine(GateProcess.RepositoryRoot(), "src", "OptOutGate.Server", "bin",
#if DEBUG
            "Debug",
#else
            "Release",
#endif
            "net10.0", "OptOutGate.Server.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add(command);
        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteLineAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, stdout);
    }
}
