using OptOutGate.LoadTests.Timeline;

namespace OptOutGate.LoadTests.Tests.Timeline;

/// <summary>Joining the client's call timeline with the gate's: by port, stream and byte counts, within each call's span.</summary>
public sealed class CallPathTests
{
    private static readonly double NanosPerTick = 1_000_000_000.0 / System.Diagnostics.Stopwatch.Frequency;

    [Fact]
    public void Join_TakesTheFirstReadAndFlushThatHoldTheCallsBytes_AndItsHopsAddUpToItsLatency()
    {
        var client = new ClientCall(Port: 40000, StreamId: 3, Scheduled: 1_000, Woke: 1_050, Sent: 1_100, Written: 1_150, RequestBytes: 500, ResponseBytes: 900, ResponseRead: 2_000, Ended: 2_050, Ok: true, PauseAtSend: 7, PauseAtEnd: 9);
        var gate = new GateTimeline(
            [
                new GateCall(40000, 3, 1_300, 1_400, 1_500, 1_600, 10, 10, 4, 4),
                new GateCall(40000, 5, 1_310, 1_410, 1_510, 1_610, 10, 10, 4, 4), // another stream
                new GateCall(40001, 3, 1_300, 1_400, 1_500, 1_600, 10, 10, 4, 4), // another connection
            ],
            [
                new ByteMark(40000, 600, 500), // before the send: an earlier connection on the same port
                new ByteMark(40000, 300, 1_200), // part of the request
                new ByteMark(40000, 500, 1_250), // the request's last byte
                new ByteMark(40000, 700, 1_260),
            ],
            [
                new ByteMark(40000, 800, 1_650), // the answer's headers and message
                new ByteMark(40000, 950, 1_700), // its trailers
                new ByteMark(40000, 990, 1_800),
            ]);

        var (paths, missing) = CallPath.Join([client], gate);

        Assert.Equal(0, missing);
        var path = Assert.Single(paths);
        long[] ticks = [1_000, 1_050, 1_100, 1_250, 1_300, 1_400, 1_500, 1_600, 1_700, 2_000, 2_050];
        Assert.Equal(ticks.Select(static t => (long)(t * NanosPerTick)), path.Moments);
        Assert.Equal(path.Total, Enumerable.Range(0, CallPath.Hops.Length).Sum(path.Hop));
        Assert.Equal(200, path.ClientPause);
        Assert.Equal(0, path.GatePause);
        Assert.Equal((long)(50 * NanosPerTick), path.ClientWrite);
    }

    [Fact]
    public void Join_CountsCallsTheGateDidNotRecord_AndSkipsFailedCalls()
    {
        var gate = new GateTimeline([new GateCall(40000, 1, 110, 120, 130, 140, 0, 0, 0, 0)], [new ByteMark(40000, 100, 105)], [new ByteMark(40000, 100, 150)]);
        ClientCall[] client =
        [
            new(40000, 1, 90, 100, 100, 101, 100, 100, 160, 170, true, 0, 0),
            new(40000, 3, 190, 200, 200, 201, 200, 200, 260, 270, true, 0, 0), // no gate record: its ring had moved on
            new(40000, 5, 290, 300, 300, 301, 300, 300, 360, 370, false, 0, 0), // failed: not a latency to explain
        ];

        var (paths, missing) = CallPath.Join(client, gate);

        Assert.Single(paths);
        Assert.Equal(1, missing);
        Assert.Equal(0, paths[0].ClientPauseBeforeSend);
    }

    [Fact]
    public void Join_TellsTheClientsPauseSinceThePreviousSend()
    {
        var gate = new GateTimeline(
            [new GateCall(40000, 1, 110, 120, 130, 140, 0, 0, 0, 0), new GateCall(40000, 3, 410, 420, 430, 440, 0, 0, 0, 0)],
            [new ByteMark(40000, 100, 105), new ByteMark(40000, 200, 405)],
            [new ByteMark(40000, 100, 150), new ByteMark(40000, 200, 450)]);
        ClientCall[] client =
        [
            new(40000, 3, 200, 400, 400, 401, 200, 200, 460, 470, true, 12, 12), // late: a 1 ms pause came before its send
            new(40000, 1, 90, 100, 100, 101, 100, 100, 160, 170, true, 2, 2),
        ];

        var (paths, _) = CallPath.Join(client, gate);

        Assert.Equal([0L, 1_000L], paths.Select(static p => p.ClientPauseBeforeSend).Order());
    }

    [Fact]
    public void Report_NamesTheLargestHopOfEveryTailCall()
    {
        // 100 calls of 1 ms; the two slowest have 5 ms more in "to the client".
        var paths = Enumerable.Range(0, 100).Select(static i =>
        {
            long[] moments = [0, 50_000, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000, 700_000, 800_000 + (i >= 98 ? 5_000_000 : 0), 1_000_000 + (i >= 98 ? 5_000_000 : 0)];
            return new CallPath(moments, 0, 0);
        }).ToList();

        var report = TailReport.Format(paths, 0);

        Assert.Contains("calls joined: 100", report, StringComparison.Ordinal);
        Assert.Matches(@"to the client\s+5\.100 ms\s+85\.0 %\s+2\r?\n", report);
    }
}
