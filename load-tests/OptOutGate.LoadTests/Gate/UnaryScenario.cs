using System.Diagnostics;
using Grpc.Health.V1;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Client;

namespace OptOutGate.LoadTests;

/// <summary>
/// N workers on one channel, each calling grpc.health.v1.Health/Check back to back (closed loop, like ghz -c N). Calls
/// during the warm-up (connections, JIT, tiered compilation) are made but not counted.
/// </summary>
internal static class UnaryScenario
{
    private static readonly Method<HealthCheckRequest, HealthCheckResponse> s_check =
        Method<HealthCheckRequest, HealthCheckResponse>.From(HealthReflection.Descriptor.Services[0].FindMethodByName("Check"));

    public static async Task<LoadReport> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(options.Address);
        var request = new HealthCheckRequest();
        Console.Error.WriteLine($"unary: {s_check.FullName} on {options.Address}, {options.Concurrency} callers, {options.Warmup.TotalSeconds:0.#} s warm-up + {options.Duration.TotalSeconds:0.#} s");

        // Phase boundaries as Stopwatch timestamps, read by every worker: no shared mutable state in the loop.
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        var measureUntil = measureFrom + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);

        var recorders = new LatencyRecorder[options.Concurrency];
        var workers = new Task[options.Concurrency];
        for (var i = 0; i < workers.Length; i++)
        {
            var recorder = recorders[i] = new LatencyRecorder();
            workers[i] = Task.Run(() => WorkAsync(channel, request, recorder, measureFrom, measureUntil, cancellationToken), CancellationToken.None);
        }

        await Task.WhenAll(workers);
        var measured = Stopwatch.GetElapsedTime(measureFrom, Math.Min(Stopwatch.GetTimestamp(), measureUntil));
        return LoadReport.From(recorders, measured);
    }

    private static async Task WorkAsync(
        GrpcChannel channel, HealthCheckRequest request, LatencyRecorder recorder, long measureFrom, long measureUntil, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var began = Stopwatch.GetTimestamp();
            if (began >= measureUntil)
            {
                return;
            }

            Status? failure = null;
            try
            {
                // ghz's default 20 s timeout: a stuck call shows up as DeadlineExceeded instead of hanging the run.
                await channel.UnaryAsync(s_check, request, new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(20)));
            }
            catch (RpcException ex)
            {
                failure = ex.Status;
            }

            var ended = Stopwatch.GetTimestamp();
            if (began < measureFrom)
            {
                continue;
            }

            if (failure is { } status)
            {
                recorder.RecordError(ended - began, status);
            }
            else
            {
                recorder.RecordOk(ended - began);
            }
        }
    }
}
