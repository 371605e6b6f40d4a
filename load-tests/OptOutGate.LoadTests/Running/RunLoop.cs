using System.Diagnostics;
using OptOutGate.LoadTests.Reporting;
using Grpc.Core;

namespace OptOutGate.LoadTests.Running;

/// <summary>
/// The closed loop every scenario runs on: N workers, each calling back to back (or paced by --rps), calls started
/// during the warm-up made but not counted, then -z of measured time or -n counted calls. Latency is taken around the
/// whole call, request serialization to response parsing, as ghz takes it from its stats handler.
/// </summary>
internal static class RunLoop
{
    public delegate Task<CallResult> CallAsync(int worker, long sequence, CancellationToken cancellationToken);

    public static async Task<RunResult> RunAsync(RunSettings settings, CallAsync call, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var (measureFrom, measureUntil) = settings.Window(start);
        using var pacer = settings.Rps > 0 ? new Pacer(start, measureFrom, settings.Rps) : null;
        var shared = new Shared(settings.Total, pacer);

        var recorders = new LatencyRecorder[settings.Concurrency];
        var workers = new Task[settings.Concurrency];
        for (var i = 0; i < workers.Length; i++)
        {
            recorders[i] = new LatencyRecorder();
        }

        using var progress = new Progress(settings, recorders, start, measureFrom);
        for (var i = 0; i < workers.Length; i++)
        {
            var worker = i;
            workers[i] = Task.Run(() => WorkAsync(worker, call, recorders[worker], shared, measureFrom, measureUntil, cancellationToken), CancellationToken.None);
        }

        await Task.WhenAll(workers);

        // A call's continuation may run on the thread that completed it (the direct client's connection reader,
        // DirectCheckStreams): what follows a run must not hold that thread.
        await Task.Yield();
        progress.Finish();
        return RunResult.From(recorders, measureFrom, settings, cancellationToken.IsCancellationRequested);
    }

    /// <summary>A call's failure as the status recorded for it: an RpcException's own, anything else UNKNOWN, as ghz records it.</summary>
    public static Status StatusOf(Exception exception) =>
        exception is RpcException rpc ? rpc.Status : new Status(StatusCode.Unknown, exception.GetType().Name + ": " + exception.Message);

    private static async Task WorkAsync(
        int worker, CallAsync call, LatencyRecorder recorder, Shared shared, long measureFrom, long measureUntil, CancellationToken cancellationToken)
    {
        long sequence = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Paced: the latency runs from the scheduled start (Pacer), so time spent waiting for a free worker counts.
            var scheduled = shared.Pacer is { } pacer ? await pacer.WaitAsync(cancellationToken) : 0;
            var began = Stopwatch.GetTimestamp();
            if (began >= measureUntil)
            {
                return;
            }

            var counted = began >= measureFrom;
            if (counted && shared.Total > 0 && Interlocked.Increment(ref shared.Counted) > shared.Total)
            {
                return;
            }

            CallResult result = default;
            Status? failure = null;
            try
            {
                result = await call(worker, sequence++, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A load generator records every failure as a status and carries on, as ghz does.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = StatusOf(ex);
            }

            var ended = Stopwatch.GetTimestamp();
            if (!counted)
            {
                continue;
            }

            var nanos = result.LatencyNanos ?? LatencyRecorder.ToNanos(ended - (scheduled != 0 ? Math.Min(scheduled, began) : began));
            recorder.Record(nanos, failure, result, ended);
        }
    }

    private sealed class Shared(long total, Pacer? pacer)
    {
        public long Counted;

        public long Total { get; } = total;

        public Pacer? Pacer { get; } = pacer;
    }
}

/// <summary>The recorders of one run, its measured wall time, and notes the runner adds under the summary.</summary>
internal sealed record RunResult(IReadOnlyList<LatencyRecorder> Recorders, TimeSpan Total, string EndReason, IReadOnlyList<(string Label, string Value)>? Notes = null)
{
    /// <summary>The result of a run whose measured part began at <paramref name="measureFrom"/>: it lasted until the last call ended.</summary>
    public static RunResult From(IReadOnlyList<LatencyRecorder> recorders, long measureFrom, RunSettings settings, bool cancelled, IReadOnlyList<(string Label, string Value)>? notes = null)
    {
        var lastEnded = recorders.Max(static r => r.LastEnded);
        var total = lastEnded > measureFrom ? Stopwatch.GetElapsedTime(measureFrom, lastEnded) : TimeSpan.Zero;
        return new RunResult(recorders, total, cancelled ? "cancel" : settings.Total > 0 ? "normal" : "timeout", notes);
    }

    public LoadReport ToReport(string name, bool countsRecipients)
    {
        var report = LoadReport.From(name, Recorders, Total, countsRecipients);
        report.Notes.AddRange(Notes ?? []);
        return report;
    }
}
