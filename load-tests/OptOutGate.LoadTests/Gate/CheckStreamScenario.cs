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
        await using var streams = new CheckStreams(gate, options, options.Concurrency, cancellationToken);
        CheckScenario.Describe($"check-stream ({options.Concurrency} streams × {options.InFlight} in flight)", options, pool, options.Concurrency * options.InFlight);
        var settings = RunSettings.From("check-stream", options) with { Concurrency = options.Concurrency * options.InFlight };
        var run = await RunLoop.RunAsync(settings, streams.CreateCall(pool, options), cancellationToken);
        var report = run.ToReport(options.Name, countsRecipients: true);
        return Output.Print([report], options, GateClients.CheckStreamName, run.EndReason);
    }
}

/// <summary>
/// CheckStream streams, worker w on stream w mod count (each stream on connection i mod --connections), each batch one
/// CheckStreamRequest matched to its response by request id: `check-stream`, and the race's gate side with --stream
/// (one stream per connection, so the batches in flight on each are as many as the peer's pipelined commands per socket).
/// </summary>
internal sealed class CheckStreams : IAsyncDisposable
{
    private readonly StreamMux<CheckStreamBatch, CheckStreamTally, ulong>[] _streams;

    public CheckStreams(GateClients gate, LoadTestOptions options, int count, CancellationToken cancellationToken)
    {
        _streams = new StreamMux<CheckStreamBatch, CheckStreamTally, ulong>[count];
        for (var i = 0; i < _streams.Length; i++)
        {
            var connection = gate.For(i);
            _streams[i] = new(() => connection.CheckStreamRaw(gate.Stream(cancellationToken)), static r => r.RequestId, options.Timeout);
        }
    }

    /// <summary>Worker w's call n sends the pool's batch w × 7919 + n (pre-serialized; recipients_e164 with --compact) and checks its answer.</summary>
    public RunLoop.CallAsync CreateCall(BatchPool pool, LoadTestOptions options)
    {
        var verify = options.ChecksVerdicts;
        return async (worker, sequence, ct) =>
        {
            var id = ((ulong)worker << 40) | (ulong)sequence;
            var request = new CheckStreamBatch(id, pool.Encoded((worker * 7919L) + sequence));
            var response = await _streams[worker % _streams.Length].SendAsync(id, request, ct);
            if (response.Batch is not { } batch)
            {
                var error = response.Error ?? new ItemError { Code = (int)StatusCode.Internal, Message = "an answer with neither verdicts nor an error" };
                throw new RpcException(new Status((StatusCode)error.Code, error.Message));
            }

            return new CallResult(batch.Verdicts, verify ? CheckScenario.Verify(batch.Verdicts, batch.Counts, pool.BatchSize, pool.ExpectedBlocked) : null);
        };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stream in _streams)
        {
            await stream.DisposeAsync();
        }
    }
}
