using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;
using Grpc.Core;

namespace OptOutGate.LoadTests.Gate;

/// <summary>
/// `check-stream`: the check workload on Gate.CheckStream: -c streams (spread over --connections), each with --in-flight
/// batches outstanding. A "request" in the summary is one batch; its latency runs from writing it to reading its answer.
/// </summary>
internal static class CheckStreamScenario
{
    public static async Task<int> RunAsync(LoadTestOptions options, CancellationToken cancellationToken)
    {
        var space = new RecipientSpace(options.Seed);
        using var gate = GateClients.Primary(options);
        if (!await CheckScenario.PrepareAsync(gate, options, space, cancellationToken))
        {
            return 1;
        }

        var pool = BatchPool.Create(options, space);
        var verify = options.ChecksVerdicts;
        var batches = options.Compact ? Array.ConvertAll(pool.Requests, BatchPool.Compacted) : pool.Requests;
        var streams = new StreamMux<CheckStreamRequest, CheckStreamResponse, ulong>[options.Concurrency];
        for (var i = 0; i < streams.Length; i++)
        {
            var connection = gate.For(i);
            streams[i] = new(() => connection.Gate.CheckStream(gate.Stream(cancellationToken)), static r => r.RequestId, options.Timeout);
        }

        try
        {
            CheckScenario.Describe($"check-stream ({options.Concurrency} streams × {options.InFlight} in flight)", options, pool, options.Concurrency * options.InFlight);
            var settings = RunSettings.From("check-stream", options) with { Concurrency = options.Concurrency * options.InFlight };
            var run = await RunLoop.RunAsync(settings, async (worker, sequence, ct) =>
            {
                var id = ((ulong)worker << 40) | (ulong)sequence;
                var request = new CheckStreamRequest { RequestId = id, Batch = batches[(int)(((worker * 7919L) + sequence) % batches.Length)] };
                var response = await streams[worker % streams.Length].SendAsync(id, request, ct);
                if (response.Error is { } error)
                {
                    throw new RpcException(new Status((StatusCode)error.Code, error.Message));
                }

                var batch = response.Batch;
                return new CallResult(batch.Verdicts.Count, verify ? CheckScenario.Verify(batch.Verdicts.Count, batch.Counts, pool.BatchSize, pool.ExpectedBlocked) : null);
            }, cancellationToken);
            var report = run.ToReport(options.Name, countsRecipients: true);
            return Output.Print([report], options, GateClients.CheckStreamName, run.EndReason);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }
}
