using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using OptOutGate.Server.Tests.Infrastructure;

namespace OptOutGate.Server.Tests.Grpc.Interop;

/// <summary>Starts an interop client as a child process against a port and collects its output.</summary>
internal static class InteropClientRunner
{
    /// <summary>Overrides the interpreter (default <c>/usr/bin/python3</c>, where Debian's python3-grpcio lives).</summary>
    public const string PythonVariable = "OPTOUTGATE_PYTHON";

    /// <summary>Overrides the node executable (default <c>node</c> on PATH).</summary>
    public const string NodeVariable = "OPTOUTGATE_NODE";

    // Per-call deadline given to the clients (their default is 20 s): a server that never answers costs 19 cases
    // times this before the run ends, so it is kept well under the run's own limit, yet far above any real case.
    private const int CallTimeoutSeconds = 10;

    // Generous: a healthy run of every case takes a few seconds (the longest case sleeps 0.3 s).
    private static readonly TimeSpan s_runLimit = TimeSpan.FromMinutes(4);

    /// <param name="pythonGenDirectory">Where the python client generates its stubs (ignored for node).</param>
    public static async Task<InteropClientRun> RunAsync(InteropClient client, int port, string testCases, string pythonGenDirectory)
    {
        var interop = Path.Combine(GateProcess.RepositoryRoot(), "tests", "interop");
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = GateProcess.RepositoryRoot(),
        };
        switch (client)
        {
            case InteropClient.Python:
                // What python/run.sh does (exec /usr/bin/python3 interop_client.py), with the interpreter overridable.
                start.FileName = Environment.GetEnvironmentVariable(PythonVariable) is { Length: > 0 } python ? python : "/usr/bin/python3";
                start.ArgumentList.Add(Path.Combine(interop, "python", "interop_client.py"));
                break;
            case InteropClient.Node:
                var modules = Path.Combine(interop, "node", "node_modules", "@grpc", "grpc-js");
                if (!Directory.Exists(modules))
                {
                    return InteropClientRun.Failed(
                        $"node {Path.Combine(interop, "node", "interop_client.js")}",
                        $"{modules} is missing: run `npm ci` in tests/interop/node (scripts/test.sh does it before dotnet test).");
                }

                start.FileName = Environment.GetEnvironmentVariable(NodeVariable) is { Length: > 0 } node ? node : "node";
                start.ArgumentList.Add(Path.Combine(interop, "node", "interop_client.js"));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(client), client, null);
        }

        start.ArgumentList.Add("--host");
        start.ArgumentList.Add("127.0.0.1");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--test_case");
        start.ArgumentList.Add(testCases);
        start.ArgumentList.Add("--proto_root");
        start.ArgumentList.Add(StandardProtos.Directory);
        start.ArgumentList.Add("--timeout_s");
        start.ArgumentList.Add(CallTimeoutSeconds.ToString(CultureInfo.InvariantCulture));
        if (client == InteropClient.Python)
        {
            start.ArgumentList.Add("--gen_dir");
            start.ArgumentList.Add(pythonGenDirectory);
        }

        var commandLine = start.FileName + " " + string.Join(' ', start.ArgumentList);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            var hint = client == InteropClient.Python
                ? $"install Debian's python3 with python3-grpcio and python3-grpc-tools, or point {PythonVariable} at an interpreter that has grpc and grpc_tools"
                : $"install node, or point {NodeVariable} at it";
            return InteropClientRun.Failed(commandLine, $"could not start {start.FileName}: {ex.Message}; {hint}.");
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(s_runLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return InteropClientRun.Failed(commandLine, $"killed after {s_runLimit.TotalSeconds} s", await stdout, await stderr);
        }

        return InteropClientRun.Completed(commandLine, process.ExitCode, await stdout, await stderr);
    }
}
