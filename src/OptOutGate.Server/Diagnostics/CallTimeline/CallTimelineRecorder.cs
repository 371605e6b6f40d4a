using System.Globalization;

namespace OptOutGate.Server.Diagnostics.CallTimeline;

/// <summary>
/// Keeps the newest calls, socket reads and socket flushes of the gRPC listener in fixed rings (allocated once, at
/// start, so recording allocates nothing), and writes them as three CSV files when the gate stops. All times are
/// <see cref="System.Diagnostics.Stopwatch"/> ticks of CLOCK_MONOTONIC, which every process on the machine shares, so
/// a client's timestamps join them directly (load generator, "timeline"). A connection is named by its remote port,
/// which is the client's local port.
/// </summary>
internal sealed class CallTimelineRecorder
{
    private readonly CallRecord[] _calls;
    private readonly ByteMark[] _reads;
    private readonly ByteMark[] _flushes;
    private long _callCount;
    private long _readCount;
    private long _flushCount;

    public CallTimelineRecorder(int calls, string directory)
    {
        Directory = directory;
        _calls = new CallRecord[calls];
        _reads = new ByteMark[4 * calls];
        _flushes = new ByteMark[4 * calls];
    }

    /// <summary>Bytes of a connection had reached Kestrel's HTTP/2 layer, <paramref name="total"/> since it opened, at <paramref name="at"/>.</summary>
    public void Read(int port, long total, long at) => Put(_reads, ref _readCount, new ByteMark(port, total, at));

    /// <summary>Kestrel flushed a connection's output up to <paramref name="total"/> bytes since it opened, at <paramref name="at"/>.</summary>
    public void Flushed(int port, long total, long at) => Put(_flushes, ref _flushCount, new ByteMark(port, total, at));

    public void Call(in CallRecord record) => Put(_calls, ref _callCount, record);

    /// <summary>Where <see cref="Write"/> puts the files (Gate:CallTimelinePath).</summary>
    public string Directory { get; }

    /// <summary>Writes calls.csv, reads.csv and flushes.csv into <see cref="Directory"/>, oldest first.</summary>
    public void Write()
    {
        var directory = System.IO.Directory.CreateDirectory(Directory).FullName;
        WriteRing(Path.Combine(directory, "calls.csv"), CallRecord.Header, _calls, Volatile.Read(ref _callCount), static r => r.ToCsv());
        WriteRing(Path.Combine(directory, "reads.csv"), ByteMark.Header, _reads, Volatile.Read(ref _readCount), static r => r.ToCsv());
        WriteRing(Path.Combine(directory, "flushes.csv"), ByteMark.Header, _flushes, Volatile.Read(ref _flushCount), static r => r.ToCsv());
    }

    private static void Put<T>(T[] ring, ref long count, in T value)
    {
        var index = Interlocked.Increment(ref count) - 1;
        ring[index % ring.Length] = value;
    }

    private static void WriteRing<T>(string path, string header, T[] ring, long count, Func<T, string> line)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(header);
        var first = Math.Max(0, count - ring.Length);
        for (var i = first; i < count; i++)
        {
            writer.WriteLine(line(ring[i % ring.Length]));
        }
    }

    internal readonly record struct ByteMark(int Port, long Total, long At)
    {
        public const string Header = "port,bytes,at";

        public string ToCsv() => string.Create(CultureInfo.InvariantCulture, $"{Port},{Total},{At}");
    }

    /// <summary>
    /// One call as the gate saw it: the request began (Kestrel had dispatched the stream and the pipeline ran), the
    /// handler began (the message read and decoded) and ended, the request ended (the response written to Kestrel),
    /// and the process's total GC pause (<see cref="GC.GetTotalPauseDuration"/>, in 100 ns units) and gen0 count at the request's start and end.
    /// </summary>
    internal readonly record struct CallRecord(
        int Port,
        int StreamId,
        long RequestStart,
        long HandlerStart,
        long HandlerEnd,
        long RequestEnd,
        long PauseAtStart,
        long PauseAtEnd,
        int Gen0AtStart,
        int Gen0AtEnd)
    {
        public const string Header = "port,stream,request_start,handler_start,handler_end,request_end,gc_pause_100ns_start,gc_pause_100ns_end,gen0_start,gen0_end";

        public string ToCsv() => string.Create(
            CultureInfo.InvariantCulture,
            $"{Port},{StreamId},{RequestStart},{HandlerStart},{HandlerEnd},{RequestEnd},{PauseAtStart},{PauseAtEnd},{Gen0AtStart},{Gen0AtEnd}");
    }
}
