namespace OptOutGate.LoadTests.Timeline;

/// <summary>A gate call (calls.csv of the gate's Gate:CallTimelinePath): see the gate's CallTimelineRecorder.</summary>
internal readonly record struct GateCall(
    int Port,
    int StreamId,
    long RequestStart,
    long HandlerStart,
    long HandlerEnd,
    long RequestEnd,
    long PauseAtStart,
    long PauseAtEnd,
    int Gen0AtStart,
    int Gen0AtEnd);

/// <summary>A connection's bytes so far at a moment: read into Kestrel (reads.csv) or flushed by it (flushes.csv).</summary>
internal readonly record struct ByteMark(int Port, long Bytes, long At);

/// <summary>The gate's call timeline, as written when it stopped: its calls, socket reads and flushes.</summary>
internal sealed record GateTimeline(IReadOnlyList<GateCall> Calls, IReadOnlyList<ByteMark> Reads, IReadOnlyList<ByteMark> Flushes)
{
    private const string CallsHeader = "port,stream,request_start,handler_start,handler_end,request_end,gc_pause_100ns_start,gc_pause_100ns_end,gen0_start,gen0_end";
    private const string MarksHeader = "port,bytes,at";

    public static GateTimeline Read(string directory) => new(
        [.. TimelineCsv.Rows(Path.Combine(directory, "calls.csv"), CallsHeader).Select(static f => new GateCall(
            (int)f[0], (int)f[1], f[2], f[3], f[4], f[5], f[6], f[7], (int)f[8], (int)f[9]))],
        Marks(Path.Combine(directory, "reads.csv")),
        Marks(Path.Combine(directory, "flushes.csv")));

    private static List<ByteMark> Marks(string path) =>
        [.. TimelineCsv.Rows(path, MarksHeader).Select(static f => new ByteMark((int)f[0], f[1], f[2]))];
}
