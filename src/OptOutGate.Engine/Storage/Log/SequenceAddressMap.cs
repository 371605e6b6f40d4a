namespace OptOutGate.Engine.Storage.Log;

/// <summary>
/// Sequence → FasterLog address for a dense run of sequences starting at <see cref="FirstSequence"/>: 8 bytes per
/// record in 64 Ki-entry chunks (80 MB for 10 million records, no large copies on growth). One writer (under the
/// log's append lock), any number of readers; a reader only asks for sequences the writer published before (through
/// the log's volatile LastSequence), so the chunk it reads is complete.
/// </summary>
internal sealed class SequenceAddressMap
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    private long[][] _chunks = [];
    private long _count;

    public SequenceAddressMap(ulong firstSequence) => FirstSequence = firstSequence;

    public ulong FirstSequence { get; }

    /// <summary>A map of the given addresses (sequences <paramref name="firstSequence"/>, +1, ...), copied chunk-wise.</summary>
    public static SequenceAddressMap Load(ulong firstSequence, ReadOnlySpan<long> addresses)
    {
        var map = new SequenceAddressMap(firstSequence);
        var chunks = new long[(addresses.Length + ChunkSize - 1) >> ChunkBits][];
        for (var c = 0; c < chunks.Length; c++)
        {
            chunks[c] = new long[ChunkSize];
            var part = addresses.Slice(c << ChunkBits, Math.Min(ChunkSize, addresses.Length - (c << ChunkBits)));
            part.CopyTo(chunks[c]);
        }

        map._chunks = chunks;
        map._count = addresses.Length;
        return map;
    }

    /// <summary>Addresses per chunk: <see cref="FromChunks"/> takes chunks of this length.</summary>
    public const int ChunkLength = ChunkSize;

    /// <summary>
    /// A map over <paramref name="chunks"/> as they are (each <see cref="ChunkLength"/> long, the last one possibly
    /// filled only in part), holding <paramref name="count"/> addresses: a restart reads the saved map straight into
    /// them instead of through one more copy of the whole map (80 MB at 10 million records).
    /// </summary>
    public static SequenceAddressMap FromChunks(ulong firstSequence, long[][] chunks, long count)
    {
        if (count < 0 || count > (long)chunks.Length * ChunkSize || chunks.Length != (count + ChunkSize - 1) >> ChunkBits)
        {
            throw new ArgumentException("The chunks do not hold the count.", nameof(chunks));
        }

        return new SequenceAddressMap(firstSequence) { _chunks = chunks, _count = count };
    }

    public long Count => Volatile.Read(ref _count);

    /// <summary>Records the address of sequence <see cref="FirstSequence"/> + <see cref="Count"/>.</summary>
    public void Add(long address)
    {
        var index = _count;
        var chunk = (int)(index >> ChunkBits);
        if (chunk == _chunks.Length)
        {
            var grown = new long[chunk + 1][];
            Array.Copy(_chunks, grown, chunk);
            grown[chunk] = new long[ChunkSize];
            Volatile.Write(ref _chunks, grown);
        }

        _chunks[chunk][index & ChunkMask] = address;
        Volatile.Write(ref _count, index + 1);
    }

    /// <summary>Copies the addresses of the first <paramref name="count"/> records, chunk by chunk.</summary>
    public IEnumerable<ReadOnlyMemory<long>> Chunks(long count)
    {
        var chunks = Volatile.Read(ref _chunks);
        for (long start = 0; start < count; start += ChunkSize)
        {
            yield return chunks[start >> ChunkBits].AsMemory(0, (int)Math.Min(ChunkSize, count - start));
        }
    }

    public bool TryGet(ulong sequence, out long address)
    {
        if (sequence < FirstSequence || sequence - FirstSequence >= (ulong)Count)
        {
            address = 0;
            return false;
        }

        var index = (long)(sequence - FirstSequence);
        address = Volatile.Read(ref _chunks)[index >> ChunkBits][index & ChunkMask];
        return true;
    }
}
