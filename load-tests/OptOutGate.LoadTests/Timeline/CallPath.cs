using System.Diagnostics;

namespace OptOutGate.LoadTests.Timeline;

/// <summary>
/// One call's path from its slot to its completion, as eleven moments on the machine's shared monotonic clock: the
/// client's, the gate's and the connection bytes' that join them. Each hop is the time between two moments in turn,
/// so the hops of a call add up to its latency from the slot exactly.
/// </summary>
/// <param name="ClientPauseBeforeSend">The client's GC pause between the previous call's send and this one's (part of "pacer late" when the call was late).</param>
/// <param name="ClientWrite">The client's socket write of the request (the send to the write returning; 0 when unknown), part of "to Kestrel".</param>
internal readonly record struct CallPath(long[] Moments, long GatePause, long ClientPause, long ClientWrite = 0, long ClientPauseBeforeSend = 0)
{
    /// <summary>The hops' names and what each covers, in order (hop i runs from moment i to moment i + 1).</summary>
    public static readonly (string Name, string Covers)[] Hops =
    [
        ("pacer wake-up", "the slot to the pacing thread running again after its sleep"),
        ("free call wait", "to the send: a wait while every call allowed (-c) was in flight"),
        ("to Kestrel", "the send to the gate's HTTP/2 layer holding the request's last byte: the client's write, loopback TCP, the gate's socket wake-up"),
        ("to the pipeline", "to the request's start: Kestrel's HTTP/2 frames, the stream handed to a pool thread"),
        ("request read", "to the handler's start: the message read and decoded, the interceptors"),
        ("handler", "the check itself"),
        ("answer written", "to the request's end: the answer encoded and written to Kestrel"),
        ("to the flush", "to Kestrel flushing the response's last byte (trailers) to the socket transport"),
        ("to the client", "to the client's socket read bringing it: the gate's socket send, loopback TCP, the client's wake-up"),
        ("client completes", "to the call's completion: frames parsed, the call ended"),
    ];

    public long Total => Moments[^1] - Moments[0];

    public long FromSend => Moments[^1] - Moments[FirstHopFromSend];

    /// <summary>The moment of the send: the hops before it are the client's lateness.</summary>
    public const int FirstHopFromSend = 2;

    public long Hop(int index) => Moments[index + 1] - Moments[index];

    public static long Nanos(long ticks) => (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));

    /// <summary>
    /// The calls that join: each OK client call with the gate's record of the same connection (port) and stream seen
    /// during it, the gate's first read on that connection holding the request's bytes, and its first flush holding the
    /// response's. Missing is how many OK calls found no gate record, read or flush (the gate's rings keep the newest).
    /// </summary>
    public static (List<CallPath> Paths, int Missing) Join(IReadOnlyList<ClientCall> client, GateTimeline gate)
    {
        var calls = gate.Calls.ToLookup(static c => (c.Port, c.StreamId));
        var reads = ByPort(gate.Reads);
        var flushes = ByPort(gate.Flushes);
        var paths = new List<CallPath>(client.Count);
        var missing = 0;
        long? previousPause = null;
        foreach (var c in client.OrderBy(static c => c.Sent))
        {
            // Every call's send, failed ones too, bounds the pause before the next.
            var pauseBeforeSend = previousPause is { } before ? Math.Max(0, c.PauseAtSend - before) * 100 : 0;
            previousPause = c.PauseAtSend;
            if (!c.Ok)
            {
                continue;
            }

            var found = calls[(c.Port, c.StreamId)].Where(g => g.RequestStart >= c.Sent && g.RequestEnd <= c.Ended && g.HandlerStart != 0).ToList();
            var read = First(reads, c.Port, c.RequestBytes, c.Sent, c.Ended);
            var flush = First(flushes, c.Port, c.ResponseBytes, c.Sent, c.Ended);
            if (found.Count != 1 || read is null || flush is null || c.ResponseRead == 0)
            {
                missing++;
                continue;
            }

            var g = found[0];
            long[] moments = [c.Scheduled, c.Woke, c.Sent, read.Value, g.RequestStart, g.HandlerStart, g.HandlerEnd, g.RequestEnd, flush.Value, c.ResponseRead, c.Ended];
            var write = c.Written == 0 ? 0 : Nanos(c.Written - c.Sent);
            paths.Add(new CallPath([.. moments.Select(Nanos)], (g.PauseAtEnd - g.PauseAtStart) * 100, (c.PauseAtEnd - c.PauseAtSend) * 100, write, pauseBeforeSend));
        }

        return (paths, missing);
    }

    private static Dictionary<int, ByteMark[]> ByPort(IReadOnlyList<ByteMark> marks) =>
        marks.GroupBy(static m => m.Port).ToDictionary(static g => g.Key, static g => g.OrderBy(static m => m.At).ToArray());

    /// <summary>When the first mark on <paramref name="port"/> between <paramref name="from"/> and <paramref name="until"/> reached <paramref name="bytes"/>.</summary>
    private static long? First(Dictionary<int, ByteMark[]> marks, int port, long bytes, long from, long until)
    {
        if (!marks.TryGetValue(port, out var list))
        {
            return null;
        }

        var low = LowerBound(list, from);
        for (var i = low; i < list.Length && list[i].At <= until; i++)
        {
            if (list[i].Bytes >= bytes)
            {
                return list[i].At;
            }
        }

        return null;
    }

    private static int LowerBound(ByteMark[] list, long at)
    {
        var (low, high) = (0, list.Length);
        while (low < high)
        {
            var mid = (low + high) / 2;
            (low, high) = list[mid].At < at ? (mid + 1, high) : (low, mid);
        }

        return low;
    }
}
