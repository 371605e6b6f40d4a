using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Security.Cryptography;

namespace OptOutGate.Server.Tenancy;

/// <summary>
/// Finds what a presented API key stands for. Keys are held as SHA-256 hashes only. A lookup hashes the presented key,
/// picks candidates by the first 8 bytes of the hash, and compares whole hashes with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>: the time a lookup takes depends on the hash of the attempt,
/// never on how many leading bytes of a configured key or hash it got right.
/// </summary>
/// <typeparam name="TIdentity">What a key resolves to (built once, so a lookup allocates nothing).</typeparam>
internal sealed class ApiKeyStore<TIdentity>
    where TIdentity : class
{
    private readonly FrozenDictionary<ulong, Entry[]> _byPrefix;

    /// <param name="keys">Each configured hash (32 bytes) with its identity. Two equal hashes are refused: a key must name one identity.</param>
    public ApiKeyStore(IEnumerable<(byte[] Hash, TIdentity Identity)> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var buckets = new Dictionary<ulong, List<Entry>>();
        var count = 0;
        foreach (var (hash, identity) in keys)
        {
            ArgumentNullException.ThrowIfNull(hash);
            ArgumentNullException.ThrowIfNull(identity);
            if (hash.Length != ApiKeyHash.HashSize)
            {
                throw new ArgumentException($"An API key hash is {ApiKeyHash.HashSize} bytes, not {hash.Length}.", nameof(keys));
            }

            var prefix = BinaryPrimitives.ReadUInt64LittleEndian(hash);
            if (!buckets.TryGetValue(prefix, out var bucket))
            {
                bucket = [];
                buckets.Add(prefix, bucket);
            }

            foreach (var existing in bucket)
            {
                if (existing.Hash.AsSpan().SequenceEqual(hash))
                {
                    throw new ArgumentException($"Two API keys have the same hash ({existing.Identity} and {identity}).", nameof(keys));
                }
            }

            bucket.Add(new Entry(hash.ToArray(), identity));
            count++;
        }

        Count = count;
        _byPrefix = buckets.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.ToArray());
    }

    public int Count { get; }

    /// <summary>
    /// The identity of <paramref name="key"/>. False for an unknown key, and for one that is not well formed
    /// (<see cref="ApiKeyHash.IsWellFormedKey"/>): no configured key can match it.
    /// </summary>
    public bool TryFind(ReadOnlySpan<char> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TIdentity? identity)
    {
        identity = null;
        if (!ApiKeyHash.IsWellFormedKey(key))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[ApiKeyHash.HashSize];
        ApiKeyHash.Compute(key, hash);
        if (!_byPrefix.TryGetValue(BinaryPrimitives.ReadUInt64LittleEndian(hash), out var candidates))
        {
            return false;
        }

        // Every candidate is compared in full, whichever matches, so the bucket's order leaks nothing either.
        foreach (var candidate in candidates)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate.Hash, hash))
            {
                identity = candidate.Identity;
            }
        }

        return identity is not null;
    }

    private readonly record struct Entry(byte[] Hash, TIdentity Identity);
}
