using System.Diagnostics;
using System.Globalization;
using OptOutGate.LoadTests.Reporting;
using OptOutGate.LoadTests.Running;

namespace OptOutGate.LoadTests.Race;

/// <summary>
/// CPU time per call on one side of the race, summed over its runs: the server that answered (a peer, whose process
/// the race started; the gate when <c>--gate-pid</c> names it) and this generator. On a machine where client and
/// servers share the cores, recipients per second follow CPU per call, so these say where a ratio comes from.
/// </summary>
internal sealed class SideCpu(string server, int? serverPid)
{
    private TimeSpan _server;
    private TimeSpan _generator;
    private long _calls;
    private bool _serverMeasured = serverPid is not null;

    /// <summary>Runs <paramref name="run"/> and adds its calls and the CPU both processes used meanwhile.</summary>
    public async Task<RunResult> MeasureAsync(Func<Task<RunResult>> run)
    {
        var server0 = ServerCpu();
        var generator0 = Environment.CpuUsage.TotalTime;
        var result = await run();
        var server1 = ServerCpu();
        _generator += Environment.CpuUsage.TotalTime - generator0;
        if (server0 is { } s0 && server1 is { } s1)
        {
            _server += s1 - s0;
        }
        else
        {
            _serverMeasured = false;
        }

        foreach (var recorder in result.Recorders)
        {
            _calls += recorder.Calls;
        }

        return result;
    }

    /// <summary>Adds "Server CPU" (when measured) and "Generator CPU" lines, in µs per call, under the summary.</summary>
    public void AddNotes(LoadReport report)
    {
        if (_calls == 0)
        {
            return;
        }

        if (_serverMeasured)
        {
            report.Notes.Add(("Server CPU", string.Create(CultureInfo.InvariantCulture, $"{_server.TotalMicroseconds / _calls:0.0} µs per call ({server}, pid {serverPid})")));
        }

        report.Notes.Add(("Generator CPU", string.Create(CultureInfo.InvariantCulture, $"{_generator.TotalMicroseconds / _calls:0.0} µs per call")));
    }

    private TimeSpan? ServerCpu()
    {
        if (serverPid is not { } pid)
        {
            return null;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.TotalProcessorTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone, or not ours to read: the line is left out rather than guessed.
            return null;
        }
    }
}
