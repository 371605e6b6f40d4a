using OptOutGate.LoadTests.Running;

namespace OptOutGate.LoadTests.Timeline;

/// <summary>
/// <c>timeline --timeline client.csv --gate-timeline dir</c>: joins a paced direct run's call timeline with the gate's
/// (Gate:CallTimelinePath, written when the gate stopped) and prints where the tail's time goes (<see cref="TailReport"/>).
/// </summary>
internal static class TimelineCommand
{
    public static int Run(LoadTestOptions options)
    {
        if (options.TimelinePath is null || options.GateTimelinePath is null)
        {
            Console.Error.WriteLine("timeline: give --timeline <the client's file> and --gate-timeline <the gate's directory>.");
            return 2;
        }

        try
        {
            var (paths, missing) = CallPath.Join(ClientTimeline.Read(options.TimelinePath), GateTimeline.Read(options.GateTimelinePath));
            Console.Out.Write(TailReport.Format(paths, missing));
            return paths.Count == 0 ? 1 : 0;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("timeline: " + ex.Message);
            return 1;
        }
    }
}
