using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OptOutGate.Server.Tests.Infrastructure;

/// <summary>
/// The real gate as a child process on loopback ports, with its own data folder. Tests talk to it through real
/// clients and stop it with real signals, so what they see is what an operator sees.
/// </summary>
public sealed class GateProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly OutputLines _output = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GateProcess(Process process, int port, int metricsPort, int httpPort, string dataDirectory)
    {
        _process = process;
        Port = port;
        MetricsPort = metricsPort;
        HttpPort = httpPort;
        DataDirectory = dataDirectory;
    }

    public int Port { get; }

    public int MetricsPort { get; }

    public string DataDirectory { get; }

    public string GrpcAddress => $"http://127.0.0.1:{Port}";

    public string MetricsAddress => $"http://127.0.0.1:{MetricsPort}/metrics";

    /// <summary>The JSON/REST listener (Gate:HttpPort).</summary>
    public int HttpPort { get; }

    public string HttpAddress => $"http://127.0.0.1:{HttpPort}";

    public bool HasExited => _process.HasExited;

    /// <summary>The server's process id (under prlimit too: prlimit execs the server in its own process).</summary>
    public int ProcessId => _process.Id;

    public int ExitCode => _process.ExitCode;

    public string Output => _output.Text;

    /// <summary>Starts the gate with <paramref name="settings"/> as command-line configuration, and waits until it logs that it is serving.</summary>
    /// <param name="openFileLimit">Runs the server under this open-file limit (soft and hard, set with util-linux prlimit), else the test's own.</param>
    /// <remarks>
    /// The ports are found free by binding port 0 and letting go, so another process (a gate of a test running beside
    /// this one, or any connection's ephemeral port) can take one before the gate binds it. When the gate exits for
    /// that reason before serving, it is started again on new ports (at most <see cref="StartAttempts"/> times).
    /// </remarks>
    public static async Task<GateProcess> StartAsync(IDictionary<string, string>? settings = null, string? dataDirectory = null, bool waitUntilServing = true, int? openFileLimit = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("optoutgate-test-").FullName;
        for (var attempt = 1; ; attempt++)
        {
            var gate = StartOnFreePorts(settings, dataDirectory, openFileLimit);
            if (!waitUntilServing)
            {
                return gate;
            }

            try
            {
                await gate.WaitForOutputAsync("Gate readiness is now Serving", TimeSpan.FromSeconds(60));
                return gate;
            }
            catch (TimeoutException) when (attempt < StartAttempts && gate.HasExited && gate.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                await gate.DisposeAsync();
            }
        }
    }

    private const int StartAttempts = 3;

    private static GateProcess StartOnFreePorts(IDictionary<string, string>? settings, string dataDirectory, int? openFileLimit)
    {
        var port = FreePort();
        var metricsPort = FreePort();
        var httpPort = FreePort();
        var all = new Dictionary<string, string>
        {
            ["Gate:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gate:MetricsPort"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gate:HttpPort"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gate:DataDirectory"] = dataDirectory,
            ["Gate:ShutdownTimeout"] = "00:00:10",
            // The tests' webhook receivers listen on loopback, which a receiver may use only when listed.
            ["Webhooks:AllowedPrivateHosts:0"] = "127.0.0.1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        return Start(all, port, metricsPort, httpPort, dataDirectory, openFileLimit);
    }

    /// <summary>Starts the gate with exactly these settings and does not wait (for start-up failure tests).</summary>
    public static GateProcess StartRaw(IDictionary<string, string> settings) => Start(settings, 0, 0, 0, string.Empty, openFileLimit: null);

    public Task WaitForOutputAsync(string text, TimeSpan timeout) => WaitAsync(_output.SeenAsync(text), timeout, $"the gate to print '{text}'");

    /// <summary>
    /// Waits until the process has exited and everything it printed has been read: the Exited event can come before the
    /// last lines of redirected output, and a test reading <see cref="Output"/> then would see it cut short (or empty).
    /// </summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        await WaitAsync(_exited.Task, timeout, "the gate to exit");
        using var drained = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(drained.Token);
    }

    /// <summary>Sends SIGTERM, as an orchestrator does for a graceful stop.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>Sends SIGSTOP: the process freezes (no thread runs, sockets stay open) until <see cref="Resume"/>.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>Sends SIGCONT to a process frozen by <see cref="Pause"/>.</summary>
    public void Resume() => Signal("CONT");

    /// <summary>Sends SIGKILL: the process dies at once, mid-write if it was writing.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static GateProcess Start(IDictionary<string, string> settings, int port, int metricsPort, int httpPort, string dataDirectory, int? openFileLimit)
    {
        var info = new ProcessStartInfo(openFileLimit is null ? "dotnet" : "prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (openFileLimit is { } limit)
        {
            // prlimit sets the limit on itself and then execs dotnet: the server is this very process, under the limit.
            info.ArgumentList.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--nofile={limit}:{limit}"));
            info.ArgumentList.Add("dotnet");
        }

        info.ArgumentList.Add(ServerAssemblyPath());
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        // Plain one-line logs are easier to search than JSON in test output.
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        info.Environment["DOTNET_gcServer"] = "0";

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var gate = new GateProcess(process, port, metricsPort, httpPort, dataDirectory);
        process.OutputDataReceived += (_, e) => gate.Append(e.Data);
        process.ErrorDataReceived += (_, e) => gate.Append(e.Data);
        process.Exited += (_, _) => gate._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gate;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            _output.Append(line);
        }
    }

    private async Task WaitAsync(Task task, TimeSpan timeout, string what)
    {
        var finished = await Task.WhenAny(task, _exited.Task, Task.Delay(timeout));
        if (finished == task)
        {
            return;
        }

        var reason = finished == _exited.Task ? $"it exited with code {_process.ExitCode}" : $"{timeout.TotalSeconds} s passed";
        throw new TimeoutException($"Waited for {what}, but {reason}. Output:\n{Output}");
    }

    private void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ServerAssemblyPath()
    {
        // The server is built beside the tests; its own output folder has its runtimeconfig and appsettings.json.
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var path = Path.Combine(RepositoryRoot(), "src", "OptOutGate.Server", "bin", configuration, "net10.0", "OptOutGate.Server.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the server first: {path} is missing.");
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OptOutGate.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("OptOutGate.sln not found above " + AppContext.BaseDirectory);
    }
}
