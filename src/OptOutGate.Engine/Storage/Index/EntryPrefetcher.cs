using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using FASTER.core;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// Cache-line hints for a batch's FASTER reads: where a key's hash bucket is, and where the record that bucket points to
/// is, so that the batch's reads find both in the caches instead of each waiting on two memory misses in turn (the
/// bucket, then the record; a "maybe" recipient's read cost ~570 ns at 1M entries here, nearly all of it those waits).
/// <para>
/// FASTER has no prefetch of its own and keeps both places internal. This reads them once, through reflection, from
/// the fields of FASTER 2.6.5 (the version Directory.Packages.props pins): FasterBase.state (the hash table's pinned
/// bucket array and its mask) and the blittable log's pinned page-pointer array. Written by hand because no library
/// does it; kept safe by only ever reading memory this object holds alive (the bucket array and the page pointers,
/// both managed arrays held here) and only ever prefetching the computed record address, never reading it: a stale or
/// wrong address (the table re-created, a page evicted or reused) costs a useless prefetch, never a wrong answer.
/// When the fields are not what this expects (another FASTER build), <see cref="Create"/> returns null and reads run
/// without hints. <c>EntryPrefetcherTests</c> checks the addresses against the records FASTER returns.
/// </para>
/// </summary>
internal sealed unsafe class EntryPrefetcher
{
    // FASTER 2.6.5, FASTERBase.cs Constants: the bucket's last word links overflow buckets; a word holds the address in
    // its low 48 bits and a 14-bit tag at bit 48, the tag being the hash's top 14 bits; bit 63 marks a tentative entry.
    private const int EntriesPerBucket = 8;
    private const int TagBits = 14;
    private const int EntryTagShift = 48;
    private const long AddressMask = (1L << 48) - 1;
    private const long TentativeBit = 1L << 63;

    // Held only to keep the bucket array that _table points into alive for as long as this object is used.
    private readonly Array _buckets;
    private readonly long* _table;
    private readonly long _bucketMask;
    private readonly long[] _pages;
    private readonly int _pageBits;

    private EntryPrefetcher(Array buckets, long* table, long bucketMask, long[] pages, int pageBits)
    {
        _buckets = buckets;
        _table = table;
        _bucketMask = bucketMask;
        _pages = pages;
        _pageBits = pageBits;
    }

    /// <summary>The hints for <paramref name="store"/> as it is now (call again after anything re-creates its hash
    /// table: recovery); null when its internals are not FASTER 2.6.5's.</summary>
    public static EntryPrefetcher? Create(FasterKV<EntryKey, EntryValue> store)
    {
        try
        {
            var resizeInfo = Field(store, "resizeInfo");
            if (Field(store, "state") is not Array state || (resizeInfo is null ? null : Field(resizeInfo, "version")) is not int version
                || version is not (0 or 1))
            {
                return null;
            }

            var table = state.GetValue(version)!;
            var buckets = Field(table, "tableRaw") as Array;
            var mask = Field(table, "size_mask") as long?;
            var aligned = Field(table, "tableAligned") is Pointer pointer ? (long*)Pointer.Unbox(pointer) : null;
            var log = Field(store, "hlog");
            var pages = log is null ? null : Field(log, "pointers") as long[];
            var pageBits = log is null ? null : Field(log, "LogPageSizeBits") as int?;
            if (buckets is null || mask is not { } bucketMask || aligned is null || pages is null || pageBits is not { } bits
                || !BitOperations.IsPow2(pages.Length) || !Fits(buckets, aligned, bucketMask))
            {
                return null;
            }

            return new EntryPrefetcher(buckets, aligned, bucketMask, pages, bits);
        }
        catch (Exception e) when (e is FieldAccessException or TargetException or ArgumentException or InvalidCastException)
        {
            return null;
        }
    }

    /// <summary>A field's value, declared on the object's type or a base type (FASTER's are internal or private).</summary>
    private static object? Field(object target, string name)
    {
        for (var type = target.GetType(); type is not null; type = type.BaseType)
        {
            if (type.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly) is { } field)
            {
                return field.GetValue(target);
            }
        }

        return null;
    }

    /// <summary>Whether every bucket the mask can name lies inside the bucket array (which this keeps alive).</summary>
    private static bool Fits(Array buckets, long* aligned, long mask)
    {
        var bytes = (long)buckets.Length * EntriesPerBucket * sizeof(long);
        var start = (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buckets));
        return buckets.GetType().GetElementType() is { } element && Marshal.SizeOf(element) == EntriesPerBucket * sizeof(long)
            && (long)aligned >= start && (long)aligned + ((mask + 1) * EntriesPerBucket * sizeof(long)) <= start + bytes;
    }

    /// <summary>Step one for a key: its hash bucket's line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchBucket(long hash) => Prefetch(Bucket(hash));

    /// <summary>
    /// Step two, once the bucket had time to arrive: the line of the record the key's tag points to (the newest record
    /// with that tag; an older one with the same tag is not hinted).
    /// </summary>
    public void PrefetchRecord(long hash)
    {
        var address = RecordAddress(hash);
        if (address != 0)
        {
            Prefetch((void*)address);
        }
    }

    /// <summary>The address <see cref="PrefetchRecord"/> would hint, or 0: for tests.</summary>
    internal long RecordAddress(long hash)
    {
        var bucket = Bucket(hash);
        var tag = (long)((ulong)hash >> (64 - TagBits));
        for (var i = 0; i < EntriesPerBucket - 1; i++)
        {
            var word = Volatile.Read(ref bucket[i]);
            if (word != 0 && ((word >> EntryTagShift) & ((1L << TagBits) - 1)) == tag && (word & TentativeBit) == 0)
            {
                var address = word & AddressMask;
                return _pages[(int)(address >> _pageBits) & (_pages.Length - 1)] + (address & ((1L << _pageBits) - 1));
            }
        }

        return 0;
    }

    /// <summary>The hash bits that pick a key's bucket (for tests).</summary>
    internal long BucketMask => _bucketMask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long* Bucket(long hash) => _table + ((hash & _bucketMask) * EntriesPerBucket);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(void* address)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(address);
        }
    }
}
