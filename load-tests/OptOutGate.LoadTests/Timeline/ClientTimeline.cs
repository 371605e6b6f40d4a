using System.Globalization;

namespace OptOutGate.LoadTests.Timeline;

/// <summary>
/// One call of a paced direct run as the client saw it (check --direct --timeline): the connection's local port and
/// the stream, the slot, when the pacing thread woke for it, the send (after any wait for a free call) and when its
/// write returned, where the request ended and the response ended in the
/// connection's bytes, when the socket read that brought the response's end returned, when the call was completed,
/// and the client's total GC pause (100 ns units) at the send and at the end. Times are
/// <see cref="System.Diagnostics.Stopwatch"/> ticks of CLOCK_MONOTONIC, as in the gate's call timeline.
/// </summary>
internal readonly record struct ClientCall(
    int Port,
    int StreamId,
    long Scheduled,
    long Woke,
    long Sent,
    long Written,
    long RequestBytes,
    long ResponseBytes,
    long ResponseRead,
    long Ended,
    bool Ok,
    long PauseAtSend,
    long PauseAtEnd);

/// <summary>
/// The client's call timeline as a CSV file of numbers only. Written by hand, as the project's other CSV writers: no
/// field needs quoting.
/// </summary>
internal static class ClientTimeline
{
    private const string Header = "port,stream,scheduled,woke,sent,written,request_bytes,response_bytes,response_read,ended,ok,gc_pause_100ns_sent,gc_pause_100ns_ended";

    public static void Write(string path, IEnumerable<ClientCall> calls)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(Header);
        foreach (var c in calls)
        {
            writer.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{c.Port},{c.StreamId},{c.Scheduled},{c.Woke},{c.Sent},{c.Written},{c.RequestBytes},{c.ResponseBytes},{c.ResponseRead},{c.Ended},{(c.Ok ? 1 : 0)},{c.PauseAtSend},{c.PauseAtEnd}"));
        }
    }

    public static List<ClientCall> Read(string path) =>
        [.. TimelineCsv.Rows(path, Header).Select(static f => new ClientCall(
            (int)f[0], (int)f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10] != 0, f[11], f[12]))];
}

/// <summary>Reads the timelines' numeric CSV files (the client's and the gate's), checking each header.</summary>
internal static class TimelineCsv
{
    public static IEnumerable<long[]> Rows(string path, string header)
    {
        using var reader = new StreamReader(path);
        var first = reader.ReadLine();
        if (first != header)
        {
            throw new InvalidDataException($"{path}: the header is '{first}', expected '{header}'");
        }

        var columns = header.Split(',').Length;
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            var fields = text.Split(',');
            if (fields.Length != columns)
            {
                throw new InvalidDataException($"{path}:{line}: {fields.Length} fields, expected {columns}");
            }

            var values = new long[columns];
            for (var i = 0; i < columns; i++)
            {
                if (!long.TryParse(fields[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[i]))
                {
                    throw new InvalidDataException($"{path}:{line}: '{fields[i]}' is not a whole number");
                }
            }

            yield return values;
        }
    }
}
