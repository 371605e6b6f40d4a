using BenchmarkDotNet.Attributes;
using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Benchmarks.Index;

/// <summary>
/// CheckBatch's index work for 1,000 recipients on 10 million entries with 2 % hits, per recipient
/// (OperationsPerInvoke = 1,000). Each invocation takes the next of 512 pre-built batches, so the probes miss the
/// CPU caches as they would in production. The dataset is built once per process in GlobalSetup (about 15 s).
/// </summary>
[Config(typeof(IndexLookupConfig))]
public class IndexLookupBenchmarks
{
    private const int BatchSize = 1000;
    private const int BatchCount = 512;

    private string _directory = string.Empty;
    private EntryIndex? _index;
    private ulong[][] _batches = [];
    private readonly bool[] _maybe = new bool[BatchSize];
    private int _next;

    [Params(10_000_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = IndexDataset.TemporaryDirectory("lookup");
        _index = IndexDataset.Build(_directory, Entries);
        _batches = IndexDataset.Batches(Entries, BatchCount, BatchSize, hitPercent: 2, seed: 7);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Baseline: one FASTER read per recipient through a pooled reader (UnsafeContext), no filter.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize)]
    public int FasterReadEveryRecipient()
    {
        var batch = NextBatch();
        var found = 0;
        using var reader = _index!.RentReader();
        foreach (var recipient in batch)
        {
            if (reader.TryGet(IndexDataset.KeyOf(recipient), out _))
            {
                found++;
            }
        }

        return found;
    }

    /// <summary>The filter one recipient at a time, FASTER only for "maybe".</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int FilterEachThenFaster()
    {
        var batch = NextBatch();
        var found = 0;
        using var reader = _index!.RentReader();
        foreach (var recipient in batch)
        {
            if (reader.MayContainRecipient(recipient) && reader.TryGet(IndexDataset.KeyOf(recipient), out _))
            {
                found++;
            }
        }

        return found;
    }

    /// <summary>The batched, prefetching filter over the whole batch, then FASTER for the "maybe"s: CheckBatch's path.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int FilterBatchThenFaster()
    {
        var batch = NextBatch();
        var found = 0;
        using var reader = _index!.RentReader();
        reader.MayContainRecipients(batch, _maybe);
        for (var i = 0; i < batch.Length; i++)
        {
            if (_maybe[i] && reader.TryGet(IndexDataset.KeyOf(batch[i]), out _))
            {
                found++;
            }
        }

        return found;
    }

    /// <summary>
    /// As CheckBatch with its full rule set: for each "maybe", the 9 keys a verdict can depend on (opt-out,
    /// suppression and bypass in the sender, sender+app and tenant-wide scopes); only one of them exists here.
    /// </summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int FilterBatchThenNineKeys()
    {
        var batch = NextBatch();
        var found = 0;
        using var reader = _index!.RentReader();
        reader.MayContainRecipients(batch, _maybe);
        for (var i = 0; i < batch.Length; i++)
        {
            if (!_maybe[i])
            {
                continue;
            }

            for (var kind = EntryKind.OptOut; kind <= EntryKind.Bypass; kind++)
            {
                for (uint scope = 0; scope < 3; scope++)
                {
                    if (reader.TryGet(EntryKey.Create(kind, batch[i], scope, IndexDataset.Tenant), out _))
                    {
                        found++;
                    }
                }
            }
        }

        return found;
    }

    /// <summary>The batched filter alone, for the split between filter and FASTER.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int FilterBatchOnly()
    {
        var batch = NextBatch();
        _index!.MayContainRecipients(batch, _maybe);
        return _maybe[0] ? 1 : 0;
    }

    private ulong[] NextBatch()
    {
        var batch = _batches[_next];
        _next = (_next + 1) & (BatchCount - 1);
        return batch;
    }
}
