using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// A compact summary of <see cref="RecipientFilter"/>'s fingerprints, probed before its table: a split-block Bloom
/// filter (Parquet's layout: 32-byte blocks of eight 32-bit words; a fingerprint picks one block and sets one bit in
/// each word) of 10 bits for each fingerprint its table holds before it grows, under a third of the table's size. A
/// recipient with no entry (98 % of a typical batch) is then answered from memory that stays in the CPU caches where
/// the table does not (1 million recipients: 1.9 MiB against 8 MiB), and one probe is one aligned 32-byte load and one
/// compare. "Maybe" (0.5-2 % of the absent ones, and every present one) goes on to the table: a false "maybe" costs one
/// more probe of the table, whose line was prefetched, so bits are spent on size rather than on a lower rate.
/// <para>
/// Built from fingerprints only, so it is rebuilt from the table whenever the table grows (the table can grow from
/// itself; a Bloom filter cannot), sized for what the table then holds before it grows again: 1.25-2.5 bytes per
/// recipient (10 bits per fingerprint at the table's 75 % load, 20 at 37.5 %). One writer (the filter's), lock-free
/// readers: a bit only ever goes from 0 to 1, each word written whole, and a rebuilt summary is published with one
/// reference store, complete when published.
/// </para>
/// <para>
/// Written by hand: no kept library offers a concurrent-read Bloom filter over 32-bit fingerprints on pinned memory
/// (the hashes must match the table's, and readers must never take a lock).
/// </para>
/// </summary>
internal sealed class RecipientSummary
{
    /// <summary>Bits per fingerprint at <see cref="CapacityKeys"/>, what its table holds before it grows.</summary>
    private const int BitsPerKey = 10;
    private const int WordsPerBlock = 8;
    private const int BlockBytes = WordsPerBlock * sizeof(uint);
    private const int BuildAhead = 32;

    private readonly uint[] _words; // Pinned: blocks are laid out from the first 32-byte-aligned address in it.
    private readonly uint _blocks;

    private RecipientSummary(long capacityKeys)
    {
        CapacityKeys = capacityKeys;
        _blocks = (uint)Math.Max(1, Math.Min((capacityKeys * BitsPerKey + 255) / 256, int.MaxValue / WordsPerBlock - 1));
        _words = HugePageArray.AllocateZeroed<uint>((int)((_blocks + 1) * WordsPerBlock), pinned: true);
    }

    /// <summary>The fingerprints it is sized for: as many as its table holds before it grows (75 % of the slots).</summary>
    public long CapacityKeys { get; }

    public long SizeInBytes => _words.LongLength * sizeof(uint);

    /// <summary>
    /// A summary of every fingerprint in <paramref name="slots"/> (0 is an empty slot), sized for what that table holds
    /// before it grows, so that it is built only with the table: when the table is created, loaded or grown.
    /// </summary>
    /// <remarks>
    /// Each fingerprint sets bits in a random block, so the blocks of the fingerprints <see cref="BuildAhead"/> slots on
    /// are prefetched while the current one is set: the misses overlap instead of following each other (the applier
    /// builds it when the table outgrows it, and a restart when it loads the table).
    /// </remarks>
    public static unsafe RecipientSummary Build(uint[] slots)
    {
        var summary = new RecipientSummary(Math.Max(1024, slots.LongLength * 3 / 4));
        fixed (uint* words = summary._words)
        {
            var aligned = Aligned(words);
            var blocks = summary._blocks;
            for (var i = 0; i < slots.Length; i++)
            {
                if (i + BuildAhead < slots.Length && slots[i + BuildAhead] is var ahead and not 0 && Sse.IsSupported)
                {
                    Sse.Prefetch0(Block(aligned, ahead, blocks));
                }

                if (slots[i] is var f and not 0)
                {
                    Set(Block(aligned, f, blocks), f);
                }
            }
        }

        return summary;
    }

    /// <summary>Adds a fingerprint; the single writer only.</summary>
    public unsafe void Add(uint fingerprint)
    {
        fixed (uint* words = _words)
        {
            Set(Block(Aligned(words), fingerprint, _blocks), fingerprint);
        }
    }

    /// <summary>False: no recipient with this fingerprint was added. True: one may have been.</summary>
    public unsafe bool MayContain(uint fingerprint)
    {
        fixed (uint* words = _words)
        {
            return Test(Block(Aligned(words), fingerprint, _blocks), fingerprint);
        }
    }

    /// <summary>The first 32-byte-aligned address in the (pinned) array: where block 0 begins.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe uint* Aligned(uint* words) => (uint*)(((nuint)words + BlockBytes - 1) & ~(nuint)(BlockBytes - 1));

    /// <summary>The block a fingerprint sets: the high half of a multiplicative hash, mapped onto the blocks without a modulo.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe uint* Block(uint* aligned, uint fingerprint, uint blocks) =>
        aligned + ((((fingerprint * 0x9E3779B97F4A7C15UL) >> 32) * blocks >> 32) * WordsPerBlock);

    /// <summary>Sets the fingerprint's bit in each word of its block, each word written whole (readers read whole words).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Set(uint* block, uint fingerprint)
    {
        var key = Key(fingerprint);
        for (var i = 0; i < WordsPerBlock; i++)
        {
            Volatile.Write(ref block[i], block[i] | (1u << (int)((key * Salt(i)) >> 27)));
        }
    }

    /// <summary>Whether every bit of <paramref name="fingerprint"/> is set in <paramref name="block"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe bool Test(uint* block, uint fingerprint)
    {
        var key = Key(fingerprint);
        if (Avx2.IsSupported)
        {
            var shifts = Avx2.ShiftRightLogical(Avx2.MultiplyLow(Vector256.Create(key), Salts), 27);
            var mask = Avx2.ShiftLeftLogicalVariable(Vector256<uint>.One, shifts);
            return Avx.TestC(Avx.LoadAlignedVector256(block), mask);
        }

        for (var i = 0; i < WordsPerBlock; i++)
        {
            if ((Volatile.Read(ref block[i]) & (1u << (int)((key * Salt(i)) >> 27))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The blocks, and the pinned array they lie in, for a batch probe that takes <see cref="Block"/> itself.</summary>
    internal uint BlockCount => _blocks;

    internal uint[] Words => _words;

    /// <summary>The bits' key: the fingerprint's low half of the same hash, independent of the block's high half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Key(uint fingerprint) => (uint)(fingerprint * 0x9E3779B97F4A7C15UL);

    /// <summary>Parquet's eight odd salts (one per word): the bit of word i is the top 5 bits of key × salt[i].</summary>
    private static Vector256<uint> Salts => Vector256.Create(0x47b6137bu, 0x44974d91u, 0x8824ad5bu, 0xa2b7289du, 0x705495c7u, 0x2df1424bu, 0x9efc4947u, 0x5c6bfb31u);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Salt(int i) => Salts.GetElement(i);
}
