using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace OptOutGate.Tests.Shared;

/// <summary>
/// Puts every temporary file and folder of a test run (data folders of in-process servers and of child gates, their
/// logs, python and node scratch files) under one folder per test process, and deletes it when the process exits.
/// </summary>
/// <remarks>
/// Tests make data folders with <see cref="Directory.CreateTempSubdirectory(string?)"/> in many places, and the ones
/// handed to child processes (which are killed, restarted, damaged on purpose) cannot be deleted by whoever made them
/// without knowing when the last process let go: before this, every run left gigabytes of FASTER logs in /tmp. .NET on
/// Unix reads TMPDIR at each <see cref="Path.GetTempPath"/> call, and child processes inherit it, so setting it once
/// here moves all of them. A test host that crashes leaves its folder behind; the next run removes the folders of
/// processes that are no longer alive.
/// </remarks>
internal static class TestTemporaryRoot
{
    private const string Prefix = "optoutgate-tests-";

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "A test assembly: the run-wide temporary folder must exist before any test makes a file.")]
    internal static void Initialize()
    {
        var system = Path.GetTempPath();
        if (Path.GetFileName(Path.TrimEndingDirectorySeparator(system)).StartsWith(Prefix, StringComparison.Ordinal))
        {
            return; // A child of a test process: it already runs inside that process's folder.
        }

        RemoveLeftovers(system);
        var root = Directory.CreateDirectory(Path.Combine(system, Prefix + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        Environment.SetEnvironmentVariable("TMPDIR", root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
    }

    private static void RemoveLeftovers(string system)
    {
        foreach (var folder in Directory.EnumerateDirectories(system, Prefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(folder).AsSpan(Prefix.Length), out var pid) && !IsAlive(pid))
            {
                TryDelete(folder);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A child process still writing, or a file in use: the next run removes it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
