using System.Numerics;
using System.Runtime.CompilerServices;

namespace OptOutGate.Engine.Storage.State;

/// <summary>A fixed multiply-xorshift mixer for <see cref="ISingleWriterMapKey{TKey}"/> hashes: deterministic (no
/// per-process seed) and spreading consecutive phone numbers over the low bits the map indexes by.</summary>
internal static class SingleWriterMapHash
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong a, ulong b)
    {
        var h = (a ^ BitOperations.RotateLeft(b, 32)) * 0x9E3779B97F4A7C15UL;
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        return h ^ (h >> 32);
    }
}
