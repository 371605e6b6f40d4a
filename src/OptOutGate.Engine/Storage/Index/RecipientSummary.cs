using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// A compact summary of <see cref="RecipientFilter"/>'s fingerprints, probed before its table: a split-block Bloom
/// filter (Parquet's layout: 32-byte blocks of eight 32-bit words; a fingerprint picks one block and sets one bit in
/// each word), 10-15 bits per recipient against the table's 4 bytes per slot. A recipient with no entry (98 % of
/// a typical batch) is then answered from a structure a quarter of the table's size, which stays in the CPU caches
/// where the table does not (1 million recipients: 1.3-1.9 MB against 8 MB), and one probe is one aligned 32-byte load
/// and one compare. "Maybe" (about 0.5-2 % of the absent ones, and every present one) goes on to the table: a false "maybe"
/// costs one more probe of the table, whose line was prefetched, so bits are spent on size rather than on a lower rate.
/// <para>
/// Built from fingerprints only, so it is rebuilt from the table whenever the table outgrows it (the table can grow
/// from itself; a Bloom filter cannot). One writer (the filter's), lock-free readers: a bit only ever goes from 0 to 1,
/// each word written whole, and a rebuilt summary is published with one reference store, complete when published.
/// </para>
/// <para>
/// Written by hand: no kept library offers a concurrent-read Bloom filter over 32-bit fingerprints on pinned memory
/// (the hashes must match the table's, and readers must never take a lock).
/// </para>
/// </summary>
internal sealed class RecipientSummary
{
    /// <summary>Bits per recipient at <see cref="CapacityKeys"/>; a new summary is built for 1.5 times the count.</summary>
    private const int BitsPerKey = 10;
    private const int WordsPerBlock = 8;
    private const int BlockBytes = WordsPerBlock * sizeof(uint);

    private readonly uint[] _words; // Pinned: blocks are laid out from the first 32-byte-aligned address in it.
    private readonly uint _blocks;

    private RecipientSummary(long capacityKeys)
    {
        CapacityKeys = capacityKeys;
        _blocks = (uint)Math.Max(1, Math.Min((capacityKeys * BitsPerKey + 255) / 256, int.MaxValue / WordsPerBlock - 1));
        _words = HugePageArray.AllocateZeroed<uint>((int)((_blocks + 1) * WordsPerBlock), pinned: true);
    }

    /// <summary>The recipients it holds before the table's owner builds a bigger one.</summary>
    public long CapacityKeys { get; }

    public long SizeInBytes => _words.LongLength * sizeof(uint);

    /// <summary>A summary of every fingerprint in <paramref name="slots"/> (0 is an empty slot), with room for 1.5 times <paramref name="count"/>.</summary>
    public static RecipientSummary Build(uint[] slots, long count)
    {
        var summary = new RecipientSummary(Math.Max(1024, count + (count / 2)));
        foreach (var f in slots)
        {
            if (f != 0)
            {
                summary.Add(f);
            }
        }

        return summary;
    }

    /// <summary>Adds a fingerprint; the single writer only.</summary>
    public unsafe void Add(uint fingerprint)
    {
        fixed (uint* words = _words)
        {
            var block = Block(Aligned(words), fingerprint, _blocks);
            var key = Key(fingerprint);
            for (var i = 0; i < WordsPerBlock; i++)
            {
                Volatile.Write(ref block[i], block[i] | (1u << (int)((key * Salt(i)) >> 27)));
            }
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Blocks(RecipientSummary summary) => summary._blocks;

    internal uint[] Words => _words;

    /// <summary>The bits' key: the fingerprint's low half of the same hash, independent of the block's high half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Key(uint fingerprint) => (uint)(fingerprint * 0x9E3779B97F4A7C15UL);

    /// <summary>Parquet's eight odd salts (one per word): the bit of word i is the top 5 bits of key × salt[i].</summary>
    private static Vector256<uint> Salts => Vector256.Create(0x47b6137bu, 0x44974d91u, 0x8824ad5bu, 0xa2b7289du, 0x705495c7u, 0x2df1424bu, 0x9efc4947u, 0x5c6bfb31u);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Salt(int i) => Salts.GetElement(i);
}
