using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// The pre-check in front of FASTER: an open-addressing set (linear probing) of 32-bit recipient fingerprints for
/// every recipient that has ever had an entry. "No" is exact, so the common case (a recipient with no entry at all)
/// costs one probe of a 4-byte slot instead of a FASTER read; "maybe" is followed by FASTER reads. A false "maybe"
/// (another recipient with the same fingerprint: about n / 2^32, 0.2 % at 10 million) or a recipient whose entries were
/// all deleted only costs those reads, never a wrong answer.
/// <para>
/// One writer (the applier, through <see cref="EntryIndex"/>), any number of lock-free readers. Slots only ever go
/// from 0 to a fingerprint, with one aligned 4-byte store, and the writer adds a recipient before FASTER holds its
/// entry, so a reader that finds an entry could also find the recipient here. Growing builds a table twice the size
/// and publishes it with one reference store; a reader still probing the old table sees a subset that was complete
/// when it loaded it. Tables are managed arrays, so an old one lives as long as a reader holds it.
/// </para>
/// <para>
/// Size: 4 bytes per slot. A new table holds the expected recipients at 60 % load or less (6.7-13.3 bytes per
/// recipient); it grows at 75 %. The slot is derived from the fingerprint's own bits, so growing needs nothing but the
/// table. The load is what a probe costs: a miss walks the cluster to the next empty slot, about (1 + 1 / (1 - load)^2)
/// / 2 slots, and past one cache line a second DRAM miss that prefetching does not cover. With 100 million recipients,
/// batched probes took 48-56 ns per recipient at 74 % load and 17-18 ns at 37 % (tests/OptOutGate.Benchmarks/README.md,
/// "scale").
/// </para>
/// <para>
/// In front of the table, a summary of its fingerprints a quarter of its size (<see cref="RecipientSummary"/>, a
/// Bloom filter): most recipients have no entry, and the summary answers them from memory that stays in the CPU caches
/// where the table does not; the table is probed only for the summary's "maybe".
/// </para>
/// <para>
/// Tables are on transparent huge pages (<see cref="HugePageArray"/>): every probe lands on a random slot, and with
/// 4 KiB pages a table of hundreds of MB misses the TLB on nearly every probe. At 100 million recipients (1 GiB,
/// 37 % load) that took the batched probe from 26-29 to 17-18 ns per recipient.
/// </para>
/// </summary>
internal sealed class RecipientFilter
{
    private const int PrefetchDistance = 16;
    private const int MinCapacity = 1024;

    private uint[] _slots;
    private RecipientSummary _summary;
    private long _count;

    public RecipientFilter(long expectedRecipients)
        : this(HugePageArray.AllocateZeroed<uint>(CapacityFor(expectedRecipients)), 0)
    {
    }

    private RecipientFilter(uint[] slots, long count)
    {
        _slots = slots;
        _count = count;
        _summary = RecipientSummary.Build(slots);
    }

    /// <summary>Distinct fingerprints held (about the number of distinct recipients ever added).</summary>
    public long Count => Volatile.Read(ref _count);

    public long Capacity => Volatile.Read(ref _slots).LongLength;

    /// <summary>The table's bytes and its summary's.</summary>
    public long SizeInBytes => (Capacity * sizeof(uint)) + Volatile.Read(ref _summary).SizeInBytes;

    /// <summary>The current table, for saving. Only the writer may call this while it is not adding.</summary>
    internal uint[] Slots => _slots;

    internal static RecipientFilter FromSlots(uint[] slots, long count) => new(slots, count);

    /// <summary>
    /// A fingerprint of a recipient: the top half of a murmur3 finalizer (deterministic, so saved tables stay valid),
    /// never 0 (0 marks an empty slot).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Fingerprint(ulong recipient)
    {
        var h = recipient;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        var f = (uint)(h >> 32);
        return f == 0 ? 1u : f;
    }

    /// <summary>False: the recipient has no entry. True: it may have one (read FASTER).</summary>
    public unsafe bool MayContain(ulong recipient)
    {
        var f = Fingerprint(recipient);
        if (!Volatile.Read(ref _summary).MayContain(f))
        {
            return false;
        }

        var slots = Volatile.Read(ref _slots);
        fixed (uint* table = slots)
        {
            return Probe(table, (uint)slots.Length - 1, f);
        }
    }

    /// <summary>
    /// <see cref="MayContain"/> for a batch. First the summary for every recipient, with software prefetch
    /// <see cref="PrefetchDistance"/> recipients ahead so that the misses of independent probes overlap
    /// (faster-and-performance-notes §3.4: 73.5 → 34.5 ns on a 512 MiB table here), and the table's slot prefetched for
    /// each "maybe"; then the table for the "maybe" ones only. <paramref name="results"/> must be at least as long as
    /// <paramref name="recipients"/>.
    /// </summary>
    public unsafe void MayContainMany(ReadOnlySpan<ulong> recipients, Span<bool> results)
    {
        if (results.Length < recipients.Length)
        {
            ThrowResultsTooShort();
        }

        // The summary before the table: the writer adds to the table first, so a fingerprint the summary shows is there.
        var summary = Volatile.Read(ref _summary);
        var slots = Volatile.Read(ref _slots);
        var mask = (uint)slots.Length - 1;
        var blocks = summary.BlockCount;
        var n = recipients.Length;
        Span<uint> ring = stackalloc uint[PrefetchDistance];
        fixed (uint* words = summary.Words)
        fixed (uint* table = slots)
        {
            var aligned = RecipientSummary.Aligned(words);
            var ahead = Math.Min(PrefetchDistance, n);
            for (var i = 0; i < ahead; i++)
            {
                var f = Fingerprint(recipients[i]);
                ring[i] = f;
                Prefetch(RecipientSummary.Block(aligned, f, blocks));
            }

            var anyMaybe = false;
            for (var i = 0; i < n; i++)
            {
                var f = ring[i & (PrefetchDistance - 1)];
                var next = i + PrefetchDistance;
                if (next < n)
                {
                    var g = Fingerprint(recipients[next]);
                    ring[next & (PrefetchDistance - 1)] = g;
                    Prefetch(RecipientSummary.Block(aligned, g, blocks));
                }

                var maybe = RecipientSummary.Test(RecipientSummary.Block(aligned, f, blocks), f);
                if (maybe)
                {
                    Prefetch(table + (f & mask));
                    anyMaybe = true;
                }

                results[i] = maybe;
            }

            if (anyMaybe)
            {
                for (var i = 0; i < n; i++)
                {
                    if (results[i])
                    {
                        results[i] = Probe(table, mask, Fingerprint(recipients[i]));
                    }
                }
            }
        }
    }

    /// <summary>Adds a recipient; the single writer only. Returns true if its fingerprint was not there yet.</summary>
    public bool Add(ulong recipient)
    {
        var f = Fingerprint(recipient);
        var slots = _slots;
        var mask = (uint)slots.Length - 1;
        var i = f & mask;
        while (true)
        {
            var s = slots[i];
            if (s == f)
            {
                return false;
            }

            if (s == 0)
            {
                break;
            }

            i = (i + 1) & mask;
        }

        // Grow at 75 % load: linear probing's miss cost rises as 1 / (1 - load)^2.
        // Then the summary (readers probe it first), rebuilt with the table when it grows.
        if ((_count + 1) * 4 > slots.LongLength * 3)
        {
            slots = Grow(slots);
            Volatile.Write(ref _slots, slots);
            Insert(slots, f);
            Volatile.Write(ref _summary, RecipientSummary.Build(slots));
        }
        else
        {
            Volatile.Write(ref slots[i], f);
            _summary.Add(f);
        }

        Volatile.Write(ref _count, _count + 1);
        return true;
    }

    private static uint[] Grow(uint[] old)
    {
        var bigger = HugePageArray.AllocateZeroed<uint>(old.Length * 2);
        foreach (var f in old)
        {
            if (f != 0)
            {
                Insert(bigger, f);
            }
        }

        return bigger;
    }

    private static void Insert(uint[] slots, uint f)
    {
        var mask = (uint)slots.Length - 1;
        var i = f & mask;
        while (slots[i] != 0)
        {
            i = (i + 1) & mask;
        }

        Volatile.Write(ref slots[i], f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool Probe(uint* table, uint mask, uint f)
    {
        return Vector256.IsHardwareAccelerated ? ProbeBlocks(table, mask, f) : ProbeSlots(table, mask, f);
    }

    /// <summary>
    /// <see cref="ProbeSlots"/> eight slots at a time: the 32-byte-aligned block of memory holding the first slot is
    /// compared with the fingerprint and with 0 at once, and the answer is whether the fingerprint comes before the first
    /// empty slot (from the first slot on, in probing order). The slot-by-slot walk branches on every slot it reads, one
    /// way or the other at random, and those mispredictions were most of a probe's cost when the table is in cache
    /// (<c>filter</c> mode of tests/OptOutGate.Benchmarks: 11.4 → 5.7 ns per probe at 100,000 recipients).
    /// <para>
    /// The blocks are aligned by address, not by slot index (a managed array is only 8-byte aligned), so that a block
    /// never straddles two cache lines: a probe touches the one line <see cref="MayContainMany"/> prefetched unless its
    /// cluster runs past it. The first block may begin before the table and the last end after it; those lanes are
    /// read (an aligned 32-byte block never crosses a page, so the memory is mapped: the array's header, or the heap
    /// around it) and masked out. Each 4-byte lane is read whole (aligned), so a slot being filled reads as 0 or as its
    /// fingerprint, as with the scalar read.
    /// </para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool ProbeBlocks(uint* table, uint mask, uint f)
    {
        var end = table + mask + 1;
        var slot = table + (f & mask);
        var block = (uint*)((nuint)slot & ~(nuint)31);
        var lanes = ~0u << (int)(slot - block);
        var wanted = Vector256.Create(f);
        while (true)
        {
            if (block + 8 > end)
            {
                lanes &= (1u << (int)(end - block)) - 1;
            }

            var slots = Vector256.LoadAligned(block);
            var found = Vector256.Equals(slots, wanted).ExtractMostSignificantBits() & lanes;
            var empty = Vector256.Equals(slots, Vector256<uint>.Zero).ExtractMostSignificantBits() & lanes;
            if (empty != 0)
            {
                // Lanes before the first empty one: (lowest set bit) - 1.
                return (found & ((empty & (0u - empty)) - 1)) != 0;
            }

            if (found != 0)
            {
                return true;
            }

            block += 8;
            lanes = ~0u;
            if (block >= end)
            {
                // Around the table's end to its first slot.
                block = (uint*)((nuint)table & ~(nuint)31);
                lanes = ~0u << (int)(table - block);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool ProbeSlots(uint* table, uint mask, uint f)
    {
        var i = f & mask;
        while (true)
        {
            var s = table[i];
            if (s == f)
            {
                return true;
            }

            if (s == 0)
            {
                return false;
            }

            i = (i + 1) & mask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(uint* address)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(address);
        }
    }

    internal static int CapacityFor(long expectedRecipients)
    {
        // Start at or below 60 % load for the expected count, as a power of two (the slot is f & mask). 60 % keeps 10
        // million recipients in 2^24 slots (64 MiB, 6.7 bytes each: the 64-byte budget per entry holds) and puts 100
        // million in 2^28 (1 GiB, 37 %) instead of 2^27 at 74 %, where probes cost 2.7 times as much.
        var wanted = Math.Max((expectedRecipients * 5 / 3) + 1, MinCapacity);
        var capacity = 1L << (int)(64 - long.LeadingZeroCount(wanted - 1));
        return (int)Math.Min(capacity, 1L << 30);
    }

    private static void ThrowResultsTooShort() =>
        throw new ArgumentException("The results span is shorter than the recipients span.", "results");
}
