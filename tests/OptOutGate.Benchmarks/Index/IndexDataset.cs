using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Benchmarks.Index;

/// <summary>
/// The benchmark data: <c>n</c> opt-out entries, one per recipient, at scope 1 of tenant 1, recipients
/// <c>+44 7400 000000 + 2i</c> (UK mobile numbers: +44 740-744 is one block of 50 million numbers that the numbering plan
/// allows, so every recipient passes the check path's numbering test as in production); lookups mix members with
/// non-members (odd offsets, never inserted) in random order.
/// </summary>
internal static class IndexDataset
{
    public const uint Scope = 1;
    public const uint Tenant = 1;
    private const ulong Base = 447_400_000_000UL;

    public static ulong Member(long i) => Base + (2 * (ulong)i);

    public static ulong NonMember(long i) => Base + (2 * (ulong)i) + 1;

    public static EntryKey KeyOf(ulong recipient) => EntryKey.Create(EntryKind.OptOut, recipient, Scope, Tenant);

    /// <summary>
    /// As the check does between the filter and the reads: hints for the keys of the batch's "maybe" recipients
    /// (<see cref="EntryIndex.PrefetchEntries"/>).
    /// </summary>
    public static void PrefetchMaybes(EntryIndex index, ReadOnlySpan<ulong> batch, ReadOnlySpan<bool> maybe)
    {
        Span<long> hashes = stackalloc long[batch.Length];
        var keys = 0;
        for (var i = 0; i < batch.Length; i++)
        {
            if (batch[i] != 0 && maybe[i])
            {
                hashes[keys++] = KeyOf(batch[i]).Hash64();
            }
        }

        index.PrefetchEntries(hashes[..keys]);
    }

    public static EntryIndexOptions Options(string directory, long entries) =>
        new() { Directory = directory, ExpectedEntries = entries };

    public static EntryIndex Build(string directory, long entries, ILogger? logger = null)
    {
        var index = EntryIndex.Create(Options(directory, entries), logger ?? NullLogger.Instance);
        for (long i = 0; i < entries; i++)
        {
            index.Upsert(KeyOf(Member(i)), EntryValue.Create((ulong)i + 1, 0b111, 1));
        }

        return index;
    }

    /// <summary>Batches of <paramref name="size"/> recipients with <paramref name="hitPercent"/> % members, shuffled.</summary>
    public static ulong[][] Batches(long entries, int count, int size, int hitPercent, int seed)
    {
        var random = new Random(seed);
        var batches = new ulong[count][];
        var hits = size * hitPercent / 100;
        for (var b = 0; b < count; b++)
        {
            var batch = new ulong[size];
            for (var i = 0; i < size; i++)
            {
                var n = random.NextInt64(entries);
                batch[i] = i < hits ? Member(n) : NonMember(n);
            }

            random.Shuffle(batch);
            batches[b] = batch;
        }

        return batches;
    }

    public static string TemporaryDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "optoutgate-bench-" + name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
