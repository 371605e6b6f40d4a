using System.Diagnostics;
using OptOutGate.LoadTests.Race;
using OptOutGate.LoadTests.Reporting;
using OptOutGate.LoadTests.Running;

namespace OptOutGate.LoadTests.Tests.Race;

public class SideCpuTests
{
    [Fact]
    public async Task Cpu_per_call_counts_what_the_server_process_burned_during_the_runs()
    {
        // This process plays the server: 10 calls over a run that burns at least 100 ms of CPU.
        var side = new SideCpu("self", Environment.ProcessId);
        await side.MeasureAsync(() => Task.FromResult(Run(calls: 10, burn: TimeSpan.FromMilliseconds(100))));

        var report = LoadReport.From("self", [], TimeSpan.FromSeconds(1));
        side.AddNotes(report);

        var server = Assert.Single(report.Notes, static n => n.Label == "Server CPU").Value;
        Assert.Contains($"(self, pid {Environment.ProcessId})", server, StringComparison.Ordinal);
        Assert.True(double.Parse(server.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) >= 10_000, server);
        Assert.Single(report.Notes, static n => n.Label == "Generator CPU");
    }

    [Fact]
    public async Task A_server_that_cannot_be_read_gets_no_line_rather_than_a_guess()
    {
        var side = new SideCpu("gone", int.MaxValue);
        await side.MeasureAsync(() => Task.FromResult(Run(calls: 1, burn: TimeSpan.Zero)));

        var report = LoadReport.From("gone", [], TimeSpan.FromSeconds(1));
        side.AddNotes(report);

        Assert.DoesNotContain(report.Notes, static n => n.Label == "Server CPU");
        Assert.Contains(report.Notes, static n => n.Label == "Generator CPU");
    }

    private static RunResult Run(int calls, TimeSpan burn)
    {
        var until = Environment.CpuUsage.TotalTime + burn;
        while (Environment.CpuUsage.TotalTime < until)
        {
            Thread.SpinWait(1000);
        }

        var recorder = new LatencyRecorder();
        for (var i = 0; i < calls; i++)
        {
            recorder.RecordOk(1000, 1000, Stopwatch.GetTimestamp());
        }

        return new RunResult([recorder], TimeSpan.FromSeconds(1), "timeout");
    }
}
