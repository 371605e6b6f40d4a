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
    private readonly TaskCompletionSource<ListeningPorts> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GateProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    /// <summary>The gRPC port the gate bound (its "Listening:" line), known once <see cref="StartAsync"/> has returned.</summary>
    public int Port => Listening.Grpc;

    /// <summary>The metrics port, or -1 when metrics are off.</summary>
    public int MetricsPort => Listening.Metrics;

    public string DataDirectory { get; }

    public string GrpcAddress => $"http://127.0.0.1:{Port}";

    public string MetricsAddress => $"http://127.0.0.1:{MetricsPort}/metrics";

    /// <summary>The JSON/REST listener (Gate:HttpPort), or -1 when it is off.</summary>
    public int HttpPort => Listening.Http;

    public string HttpAddress => $"http://127.0.0.1:{HttpPort}";

    public bool HasExited => _process.HasExited;

    /// <summary>The server's process id (under prlimit too: prlimit execs the server in its own process).</summary>
    public int ProcessId => _process.Id;

    public int ExitCode => _process.ExitCode;

    public string Output => _output.Text;

    /// <summary>
    /// What a test that found this gate hung reports: the last lines of its output and, where dotnet-stack is installed
    /// (OPTOUTGATE_DOTNET_STACK, which scripts/test.sh sets), the managed stack of each of its threads, taken now.
    /// </summary>
    public async Task<string> DiagnoseAsync()
    {
        var lines = Output.Split('\n');
        var report = $"The gate's last output lines:\n{string.Join('\n', lines[Math.Max(0, lines.Length - 40)..])}\n{await SequenceMetricsAsync()}";
        if (Environment.GetEnvironmentVariable("OPTOUTGATE_DOTNET_STACK") is not { Length: > 0 } tool || !File.Exists(tool) || HasExited)
        {
            return report + "\n(no stacks: dotnet-stack is not installed, see scripts/test.sh)";
        }

        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("report");
        info.ArgumentList.Add("-p");
        info.ArgumentList.Add(ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var stack = Process.Start(info)!;
        var stdout = stack.StandardOutput.ReadToEndAsync();
        var stderr = stack.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await stack.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            stack.Kill();
        }

        return $"{report}\nThe gate's managed stacks (dotnet-stack):\n{await stdout}{await stderr}";
    }

    /// <summary>
    /// Starts the gate with <paramref name="settings"/> as command-line configuration, waits until it logs the ports it
    /// bound (or exits), and then, unless <paramref name="waitUntilServing"/> is false, until it logs that it is serving.
    /// </summary>
    /// <param name="openFileLimit">Runs the server under this open-file limit (soft and hard, set with util-linux prlimit), else the test's own.</param>
    /// <remarks>
    /// Every port is 0 unless the settings name one: the system picks a free port as the gate binds it, so no other
    /// process (a gate of a test running beside this one, any connection's ephemeral port) can take it in between,
    /// as it could when a test chose a free port and then handed it over.
    /// </remarks>
    public static async Task<GateProcess> StartAsync(IDictionary<string, string>? settings = null, string? dataDirectory = null, bool waitUntilServing = true, int? openFileLimit = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("optoutgate-test-").FullName;
        var all = new Dictionary<string, string>
        {
            ["Gate:Port"] = "0",
            ["Gate:MetricsPort"] = "0",
            ["Gate:HttpPort"] = "0",
            ["Gate:DataDirectory"] = dataDirectory,
            ["Gate:ShutdownTimeout"] = "00:00:10",
            // The tests' webhook receivers listen on loopback, which a receiver may use only when listed.
            ["Webhooks:AllowedPrivateHosts:0"] = "127.0.0.1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var gate = Start(all, dataDirectory, openFileLimit);
        await WaitAsync(gate._listening.Task, gate, TimeSpan.FromSeconds(60), "the gate to log its listeners", exitIsAnAnswer: true);
        if (waitUntilServing)
        {
            await gate.WaitForOutputAsync("Gate readiness is now Serving", TimeSpan.FromSeconds(60));
        }

        return gate;
    }

    /// <summary>Starts the gate with exactly these settings and does not wait (for start-up failure tests).</summary>
    public static GateProcess StartRaw(IDictionary<string, string> settings) => Start(settings, string.Empty, openFileLimit: null);

    public Task WaitForOutputAsync(string text, TimeSpan timeout) => WaitAsync(_output.SeenAsync(text), this, timeout, $"the gate to print '{text}'");

    /// <summary>
    /// Waits until the process has exited and everything it printed has been read: the Exited event can come before the
    /// last lines of redirected output, and a test reading <see cref="Output"/> then would see it cut short (or empty).
    /// </summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        await WaitAsync(_exited.Task, this, timeout, "the gate to exit");
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

    private static GateProcess Start(IDictionary<string, string> settings, string dataDirectory, int? openFileLimit)
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
        var gate = new GateProcess(process, dataDirectory);
        process.OutputDataReceived += (_, e) => gate.Append(e.Data);
        process.ErrorDataReceived += (_, e) => gate.Append(e.Data);
        process.Exited += (_, _) => gate._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gate;
    }

    /// <summary>The gate's sequence gauges (applied, committed, checkpointed) and Admin call counts, or why they could not be read.</summary>
    private async Task<string> SequenceMetricsAsync()
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var metrics = await http.GetStringAsync(MetricsAddress);
            var lines = metrics.Split('\n');
            var sequences = lines.Where(l => l.StartsWith("optoutgate_", StringComparison.Ordinal) && l.Contains("sequence", StringComparison.Ordinal));

            // Admin calls started against finished: whether a call the test waited on is still in the gate's handler.
            var calls = lines.Where(l => l.StartsWith("grpc_server_calls_", StringComparison.Ordinal) && l.Contains("Admin", StringComparison.Ordinal));
            return "The gate's sequence metrics:\n" + string.Join('\n', sequences) + "\nIts Admin calls:\n" + string.Join('\n', calls);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            return $"(no metrics: {e.Message})";
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (ListeningPorts.TryParse(line) is { } ports)
        {
            _listening.TrySetResult(ports);
        }

        _output.Append(line);
    }

    private ListeningPorts Listening => _listening.Task.IsCompletedSuccessfully
        ? _listening.Task.Result
        : throw new InvalidOperationException($"The gate has not logged the ports it listens on. Output:\n{Output}");

    /// <param name="exitIsAnAnswer">The process exiting first ends the wait without an error (a test of a start that fails).</param>
    private static async Task WaitAsync(Task task, GateProcess gate, TimeSpan timeout, string what, bool exitIsAnAnswer = false)
    {
        var finished = await Task.WhenAny(task, gate._exited.Task, Task.Delay(timeout));
        if (finished == task || (exitIsAnAnswer && finished == gate._exited.Task))
        {
            return;
        }

        var reason = finished == gate._exited.Task ? $"it exited with code {gate._process.ExitCode}" : $"{timeout.TotalSeconds} s passed";
        throw new TimeoutException($"Waited for {what}, but {reason}. Output:\n{gate.Output}");
    }

    private void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
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
