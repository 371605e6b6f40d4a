using System.Diagnostics;
using System.Globalization;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Gate;

/// <summary>
/// Loads the opted-out dataset (indices [0, --dataset) of the recipient space) into the gate under (sender, recipient):
/// Admin.AddOptOuts in chunks of 10,000 (the per-call maximum) with --load-parallelism calls in flight, or one
/// Admin.ImportOptOuts stream (--load-via import). Re-running is harmless: existing entries come back ALREADY_PRESENT.
/// </summary>
internal static class DatasetLoader
{
    public const int Chunk = 10_000;

    /// <summary>Loads the dataset; returns the highest sequence written (for min_sequence), or throws RpcException.</summary>
    public static async Task<ulong> LoadAsync(GateClients gate, LoadTestOptions options, RecipientSpace space, CancellationToken cancellationToken)
    {
        if (options.Dataset == 0)
        {
            return 0;
        }

        var started = Stopwatch.GetTimestamp();
        Console.Error.WriteLine($"load: {options.Dataset:N0} opt-outs for sender {options.Sender} via {(options.LoadVia == "import" ? "Admin.ImportOptOuts" : $"Admin.AddOptOuts ({Chunk:N0} per call, {options.LoadParallelism} in flight)")}");
        var sequence = options.LoadVia == "import"
            ? await ImportAsync(gate, options, space, cancellationToken)
            : await AddAsync(gate, options, space, cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load: done in {seconds:0.0} s ({options.Dataset / seconds:N0} opt-outs/s), last sequence {sequence}"));
        return sequence;
    }

    private static async Task<ulong> AddAsync(GateClients gate, LoadTestOptions options, RecipientSpace space, CancellationToken cancellationToken)
    {
        var chunks = (int)((options.Dataset + Chunk - 1) / Chunk);
        long done = 0;
        long added = 0;
        long present = 0;
        ulong sequence = 0;
        var progressLock = new object();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, chunks),
            new ParallelOptions { MaxDegreeOfParallelism = options.LoadParallelism, CancellationToken = cancellationToken },
            async (chunk, ct) =>
            {
                var request = new AddOptOutsRequest { Scope = Scope.Sender, Sender = options.Sender, Reason = "load test dataset" };
                var from = (long)chunk * Chunk;
                var to = Math.Min(from + Chunk, options.Dataset);
                for (var i = from; i < to; i++)
                {
                    request.Recipients.Add(space.Number(i));
                }

                var response = await gate.For(chunk).Admin.AddOptOutsAsync(request, gate.Call(DateTime.UtcNow.AddMinutes(2), ct));
                long a = 0;
                long p = 0;
                foreach (var result in response.Results)
                {
                    if (result.Outcome == RecipientOutcome.Added)
                    {
                        a++;
                    }
                    else if (result.Outcome == RecipientOutcome.AlreadyPresent)
                    {
                        p++;
                    }
                }

                lock (progressLock)
                {
                    added += a;
                    present += p;
                    done += to - from;
                    sequence = Math.Max(sequence, response.Sequence);
                    if (chunk % 10 == 9 || done == options.Dataset)
                    {
                        Console.Error.WriteLine($"load: {done:N0}/{options.Dataset:N0} (added {added:N0}, already present {present:N0})");
                    }
                }
            });

        if (added + present != options.Dataset)
        {
            throw new InvalidOperationException($"The gate accepted {added + present:N0} of {options.Dataset:N0} opt-outs; the rest were invalid or refused.");
        }

        return sequence;
    }

    private static async Task<ulong> ImportAsync(GateClients gate, LoadTestOptions options, RecipientSpace space, CancellationToken cancellationToken)
    {
        using var call = gate.For(0).Admin.ImportOptOuts(gate.Call(DateTime.UtcNow.AddMinutes(30), cancellationToken));
        var first = true;
        for (long from = 0; from < options.Dataset; from += Chunk)
        {
            var message = new ImportOptOutsRequest();
            if (first)
            {
                message.Options = new ImportOptions
                {
                    SourceName = "loadtest-seed-" + options.Seed.ToString(CultureInfo.InvariantCulture),
                    Reason = "load test dataset",
                    Scope = Scope.Sender,
                    Sender = options.Sender,
                };
                first = false;
            }

            var to = Math.Min(from + Chunk, options.Dataset);
            for (var i = from; i < to; i++)
            {
                message.Lines.Add(new ImportLine { Recipient = space.Number(i) });
            }

            await call.RequestStream.WriteAsync(message, cancellationToken);
        }

        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        Console.Error.WriteLine($"load: import added {response.Added:N0}, already present {response.AlreadyPresent:N0}, invalid {response.Invalid:N0}");
        return response.Sequence;
    }
}
