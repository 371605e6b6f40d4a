using System.Diagnostics;

namespace OptOutGate.Server.Tests.Infrastructure;

/// <summary>Runs a python script of the repository (grpcio clients: independent peers of the real server) to its end.</summary>
internal static class PythonScript
{
    /// <summary>Debian's interpreter, which has python3-grpcio; OPTOUTGATE_PYTHON overrides it.</summary>
    private static string Interpreter => Environment.GetEnvironmentVariable("OPTOUTGATE_PYTHON") is { Length: > 0 } python ? python : "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> (relative to the repository root) and returns its exit code and stdout + stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string script, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var root = GateProcess.RepositoryRoot();
        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.ArgumentList.Add(Path.Combine(root, script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout);
        return (process.ExitCode, await stdout + await stderr);
    }
}
