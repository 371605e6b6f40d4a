using System.Buffers;
using System.Diagnostics;
using OptOutGate.LoadTests.Reporting;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Timeline;
using Grpc.Core;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// An open-loop paced run on <see cref="Http2Connection"/>s, for latency at a given rate (--direct): one thread sleeps
/// to each slot (start + k / rps, as <see cref="Pacer"/>) and sends call k itself, whatever is in flight; the
/// connections' reader threads complete the calls and record them. No thread-pool thread takes part, so what is
/// measured is the gate and the network stack, not the client's scheduling. At most --concurrency calls are in flight
/// (never more than the server's SETTINGS_MAX_CONCURRENT_STREAMS per connection); when all are, the next slot waits,
/// and its latency, taken from the slot, includes that wait (no coordinated omission).
/// </summary>
internal sealed class DirectUnaryRun
{
    private readonly object _free = new();
    private readonly Stack<PacedCall>[] _idle;
    private readonly LatencyRecorder[] _recorders;
    private readonly List<long>[] _fromSend;
    private readonly DirectUnaryTarget _target;
    private readonly List<ClientCall>[]? _timeline;
    private readonly int[] _ports;
    private int _inFlight;

    private DirectUnaryRun(DirectUnaryTarget target, int[] ports, bool timeline)
    {
        var connections = ports.Length;
        _target = target;
        _ports = ports;
        _timeline = timeline ? new List<ClientCall>[connections] : null;
        _idle = new Stack<PacedCall>[connections];
        _recorders = new LatencyRecorder[connections];
        _fromSend = new List<long>[connections];
        for (var i = 0; i < connections; i++)
        {
            _idle[i] = new Stack<PacedCall>();
            _recorders[i] = new LatencyRecorder();
            _fromSend[i] = new List<long>(capacity: 16 * 1024);
            _timeline?[i] = new List<ClientCall>(capacity: 16 * 1024);
        }
    }

    /// <param name="settings">Rps must be set: an open loop has no natural pace.</param>
    /// <param name="drainTimeout">How long calls still in flight at the end may take before they are failed.</param>
    /// <param name="timelinePath">Where to write each counted call's timeline (<see cref="ClientTimeline"/>), or null.</param>
    public static RunResult Run(RunSettings settings, DirectUnaryTarget target, int connections, TimeSpan drainTimeout, CancellationToken cancellationToken, string? timelinePath = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.Rps);
        var open = new List<Http2Connection>();
        try
        {
            for (var i = 0; i < connections; i++)
            {
                open.Add(Http2Connection.Connect(target.Host, target.Port, drainTimeout));
            }

            var run = new DirectUnaryRun(target, [.. open.Select(static c => c.LocalPort)], timelinePath is not null);
            var result = run.Run(settings, open, drainTimeout, cancellationToken);
            if (timelinePath is not null)
            {
                ClientTimeline.Write(timelinePath, run._timeline!.SelectMany(static calls => calls).OrderBy(static c => c.Scheduled));
            }

            return result;
        }
        finally
        {
            foreach (var connection in open)
            {
                connection.Dispose();
            }
        }
    }

    private RunResult Run(RunSettings settings, List<Http2Connection> connections, TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        var framed = _target.FramedRequests();
        var perConnection = (settings.Concurrency + connections.Count - 1) / connections.Count;
        for (var c = 0; c < connections.Count; c++)
        {
            for (var i = 0; i < Math.Min(perConnection, connections[c].MaxConcurrentStreams); i++)
            {
                _idle[c].Push(new PacedCall(this, c));
            }
        }

        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 100;
        MachineCpu? cpuBefore = null;
        var (measureFrom, measureUntil) = settings.Window(start);
        using (var progress = new Progress(settings, _recorders, start, measureFrom))
        {
            cpuBefore = MachineCpu.Read();
            var pacing = new Thread(() => Pace(settings, connections, framed, (start, measureFrom, measureUntil), cancellationToken)) { Name = "direct pacer" };
            pacing.Start();
            pacing.Join();
            WaitForInFlight(drainTimeout);
            foreach (var connection in connections)
            {
                connection.Dispose(); // Fails whatever is still in flight, which is then recorded.
            }

            progress.Finish();
        }

        var machine = MachineCpu.Between(cpuBefore, MachineCpu.Read());
        return RunResult.From(_recorders, measureFrom, settings, cancellationToken.IsCancellationRequested, [("From the send", FromSendSummary()), ("Machine CPU", machine)]);
    }

    /// <summary>
    /// The OK calls' latency from the moment the pacing thread sent them: the slot latency less the pacing thread's own
    /// wake-up delay and any wait for a free call. Shown beside the summary, it tells the two apart.
    /// </summary>
    private string FromSendSummary()
    {
        var sorted = _fromSend.SelectMany(static list => list).Order().ToArray();
        return $"p50 {GhzFormat.NanoUnit(LoadReport.Percentile(sorted, 50))}, p99 {GhzFormat.NanoUnit(LoadReport.Percentile(sorted, 99))}, p99.9 {GhzFormat.NanoUnit(LoadReport.Percentile(sorted, 99.9))}";
    }

    /// <summary>
    /// The pacing thread (its own, not a thread-pool thread the run would hold for its whole length): sleeps to each
    /// slot and sends that call itself.
    /// </summary>
    private void Pace(RunSettings settings, List<Http2Connection> connections, byte[][] framed, (long Start, long MeasureFrom, long MeasureUntil) window, CancellationToken cancellationToken)
    {
        var (start, measureFrom, measureUntil) = window;
        var schedule = new PaceSchedule(start, measureFrom, settings.Rps);
        var (counted, issued) = (0L, 0L);
        while (!cancellationToken.IsCancellationRequested && (settings.Total == 0 || counted < settings.Total))
        {
            var due = schedule.Next();
            if (due >= measureUntil)
            {
                break;
            }

            Pacer.SleepUntil(due);
            var woke = Stopwatch.GetTimestamp();
            var connection = (int)(issued % connections.Count);
            var call = TakeIdle(connection);
            call.Woke = woke;
            call.Scheduled = due;
            call.PauseAtSend = _timeline is null ? 0 : GC.GetTotalPauseDuration().Ticks;
            call.Sent = Stopwatch.GetTimestamp();
            call.Counted = due >= measureFrom;
            counted += call.Counted ? 1 : 0;
            connections[connection].Start(call, _target.HeaderBlock, framed[(int)(issued % framed.Length)]);
            issued++;
        }
    }

    /// <summary>
    /// An idle call object, counted in flight from now on. Counted under the same lock as <see cref="Completed"/> uncounts
    /// it: an Interlocked increment beside the locked decrement could be lost, and the run would then stop waiting with a
    /// call still in flight (a paced run of 400 calls once recorded 399).
    /// </summary>
    private PacedCall TakeIdle(int connection)
    {
        lock (_free)
        {
            while (_idle[connection].Count == 0)
            {
                Monitor.Wait(_free);
            }

            _inFlight++;
            return _idle[connection].Pop();
        }
    }

    private void WaitForInFlight(TimeSpan timeout)
    {
        var until = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_free)
        {
            while (_inFlight > 0)
            {
                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), until);
                if (left <= TimeSpan.Zero)
                {
                    return;
                }

                Monitor.Wait(_free, left);
            }
        }
    }

    /// <summary>Records a completed call (on the reader thread that completed it) and makes its object idle again.</summary>
    private void Completed(PacedCall call, Status status, ReadOnlySequence<byte> message)
    {
        var ended = Stopwatch.GetTimestamp();
        if (call.Counted)
        {
            Record(call, status, message, ended);
        }

        lock (_free)
        {
            _idle[call.Connection].Push(call);
            _inFlight--;
            Monitor.PulseAll(_free);
        }
    }

    private void Record(PacedCall call, Status status, ReadOnlySequence<byte> message, long ended)
    {
        Status? failure = status.StatusCode == StatusCode.OK ? null : status;
        CallResult result = default;
        if (failure is null)
        {
            try
            {
                result = _target.Read(message);
            }
#pragma warning disable CA1031 // A response the reader cannot take is recorded as the call's failure, as RunLoop does.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = RunLoop.StatusOf(ex);
            }
        }

        // A connection's calls complete on its reader thread, but a refused start completes on the pacing thread.
        var recorder = _recorders[call.Connection];
        lock (recorder)
        {
            recorder.Record(LatencyRecorder.ToNanos(ended - call.Scheduled), failure, result, ended);
            if (failure is null)
            {
                _fromSend[call.Connection].Add(LatencyRecorder.ToNanos(ended - call.Sent));
            }

            _timeline?[call.Connection].Add(new ClientCall(
                _ports[call.Connection],
                call.Wire.StreamId,
                call.Scheduled,
                call.Woke,
                call.Sent,
                call.WrittenAt,
                call.Wire.RequestBytesEnd,
                call.Wire.ResponseBytesEnd,
                call.Wire.ResponseReadAt,
                ended,
                failure is null,
                call.PauseAtSend,
                GC.GetTotalPauseDuration().Ticks));
        }
    }

    private sealed class PacedCall(DirectUnaryRun run, int connection) : Http2UnaryCall
    {
        public int Connection { get; } = connection;

        public long Scheduled { get; set; }

        public long Sent { get; set; }

        /// <summary>When the pacing thread woke for the call's slot, before it took a free call object.</summary>
        public long Woke { get; set; }

        public long PauseAtSend { get; set; }

        public bool Counted { get; set; }

        protected internal override void OnCompleted(Status status, ReadOnlySequence<byte> message) => run.Completed(this, status, message);
    }
}
