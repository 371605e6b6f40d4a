namespace OptOutGate.Server.Tests.Grpc.Interop;

/// <summary>What one invocation of an interop client printed, or why it could not run.</summary>
internal sealed class InteropClientRun
{
    private InteropClientRun(string commandLine, int? exitCode, string stdout, string stderr, string? problem)
    {
        CommandLine = commandLine;
        ExitCode = exitCode;
        Stdout = stdout;
        Stderr = stderr;
        Problem = problem;
    }

    public string CommandLine { get; }

    /// <summary>Null when the process did not start or was killed at the time limit.</summary>
    public int? ExitCode { get; }

    public string Stdout { get; }

    public string Stderr { get; }

    /// <summary>Why the run says nothing about the server (missing prerequisite, time limit); null for a normal run.</summary>
    public string? Problem { get; }

    public static InteropClientRun Completed(string commandLine, int exitCode, string stdout, string stderr) =>
        new(commandLine, exitCode, stdout, stderr, problem: null);

    public static InteropClientRun Failed(string commandLine, string problem, string stdout = "", string stderr = "") =>
        new(commandLine, exitCode: null, stdout, stderr, problem);

    /// <summary>The client's line for <paramref name="testCase"/> (<c>OK: x</c>, <c>FAIL: x: why</c>, …), or null.</summary>
    public string? LineFor(string testCase)
    {
        foreach (var raw in Stdout.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            // "OK: case" or "FAIL: case: reason": the case name runs to the end or to the next ": ".
            var rest = line.AsSpan(colon + 2);
            var end = rest.IndexOf(": ", StringComparison.Ordinal);
            var name = end < 0 ? rest : rest[..end];
            if (name.SequenceEqual(testCase))
            {
                return line;
            }
        }

        return null;
    }

    public string Describe() =>
        $"""
        command: {CommandLine}
        exit code: {(ExitCode is { } code ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}{(Problem is null ? string.Empty : Environment.NewLine + "problem: " + Problem)}
        --- stdout ---
        {Stdout.TrimEnd()}
        --- stderr ---
        {Stderr.TrimEnd()}
        """;
}
