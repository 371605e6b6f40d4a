using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace OptOutGate.Engine.Storage.State;

/// <summary>A key of <see cref="SingleWriterMap{TKey, TValue}"/>: equality and a deterministic, well-mixed 64-bit hash.</summary>
internal interface ISingleWriterMapKey<TKey> : IEquatable<TKey>
    where TKey : unmanaged
{
    ulong Hash64();
}

/// <summary>
/// A hash map of unmanaged keys and values for state with millions of entries (history heads, confirmation windows):
/// one writer (the applier, or a loader before the state is shared), any number of lock-free readers. Open addressing
/// with linear probing in one array of structs, so an entry costs one slot (no object per entry: nothing for the GC to
/// trace or promote) and a restart fills it without allocating per entry.
/// </summary>
/// <remarks>
/// <para>
/// Why not ConcurrentDictionary: at 10 million entries it holds 10 million nodes (about 100 bytes each with the bucket
/// array) that every full GC traces, and adding them took 9-17 s on the 2-core build machine (measured; a restart
/// restored history heads and confirmation windows that way). Why compact slots (the version, a 4-byte-packed key, the
/// value; 24 bytes for a head, 36 for a window) and a table sized to the entries rather than to a power of two: on the
/// build VM every megabyte a process touches for the first time costs about 2.5 ms of page faults, so at this size
/// memory is restart time.
/// </para>
/// <para>
/// Concurrency: each slot has a version (a sequence lock) that also holds the slot's state. The writer makes it odd,
/// writes the slot, makes it even again; a reader copies the slot between two reads of the version and retries when
/// they differ or are odd, so it never sees a torn key or value. Growing or compacting builds a new array and
/// publishes it; a reader still on the old one finishes there (it sees the state as of just before the switch).
/// Removal leaves a tombstone (probe chains stay intact for readers); tombstones go when the array is rebuilt.
/// </para>
/// </remarks>
internal sealed class SingleWriterMap<TKey, TValue>
    where TKey : unmanaged, ISingleWriterMapKey<TKey>
    where TValue : unmanaged
{
    // Version bits: 0 = being written, 1-2 = state, 3-31 = counter.
    private const uint Writing = 1;
    private const uint StateMask = 6;
    private const uint Empty = 0;
    private const uint Full = 2;
    private const uint Deleted = 4;
    private const uint Step = 8;
    private const int MinCapacity = 16;

    private Slot[] _slots;
    private int _count;
    private int _tombstones;

    /// <param name="capacity">Entries expected: the array is sized so that they fit without a rebuild.</param>
    public SingleWriterMap(int capacity = 0) => _slots = HugePageArray.AllocateZeroed<Slot>(CapacityFor(capacity));

    public int Count => Volatile.Read(ref _count);

    /// <summary>Bytes of the slot array (for metrics and the restart figures).</summary>
    public long SizeInBytes => (long)Volatile.Read(ref _slots).Length * Unsafe.SizeOf<Slot>();

    /// <summary>Any thread.</summary>
    public bool TryGetValue(in TKey key, out TValue value)
    {
        var slots = Volatile.Read(ref _slots);
        var i = Home(key, slots.Length);
        while (true)
        {
            ref var slot = ref slots[i];
            var version = Volatile.Read(ref slot.Version);
            var found = slot.Key;
            var stored = slot.Value;

            // The copies above must be complete before the version is read again (a full fence: loads must not move
            // after the second read, which acquire semantics alone do not forbid).
            Interlocked.MemoryBarrier();
            if ((version & Writing) != 0 || Volatile.Read(ref slot.Version) != version)
            {
                Thread.SpinWait(1);
                continue;
            }

            var state = version & StateMask;
            if (state == Empty)
            {
                value = default;
                return false;
            }

            if (state == Full && found.Equals(key))
            {
                value = stored;
                return true;
            }

            i = Next(i, slots.Length);
        }
    }

    /// <summary>
    /// A hint before <see cref="Set"/> of <paramref name="key"/> a few calls later: starts loading its slot's cache line,
    /// so that a bulk load overlaps its cache misses instead of waiting for each (restores of 10 million windows).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(in TKey key)
    {
        if (Sse.IsSupported)
        {
            var slots = _slots;
            Sse.Prefetch0(Unsafe.AsPointer(ref slots[Home(key, slots.Length)]));
        }
    }

    /// <summary>Adds the entry or replaces its value. Writer only.</summary>
    public void Set(in TKey key, TValue value)
    {
        var slots = _slots;
        var i = Home(key, slots.Length);
        var free = -1;
        while (true)
        {
            ref var slot = ref slots[i];
            var state = slot.Version & StateMask;
            if (state == Full)
            {
                if (slot.Key.Equals(key))
                {
                    Write(ref slot, Full, key, value);
                    return;
                }
            }
            else if (state == Deleted)
            {
                if (free < 0)
                {
                    free = i;
                }
            }
            else
            {
                break;
            }

            i = Next(i, slots.Length);
        }

        if (free >= 0)
        {
            Write(ref slots[free], Full, key, value);
            _tombstones--;
        }
        else if ((long)(_count + _tombstones + 1) * 4 > (long)slots.Length * 3)
        {
            // Past three quarters full (tombstones included): rebuild with room for half as many again, then insert.
            Rebuild((_count + 1) * 3L / 2);
            slots = _slots;
            i = Home(key, slots.Length);
            while ((slots[i].Version & StateMask) == Full)
            {
                i = Next(i, slots.Length);
            }

            Write(ref slots[i], Full, key, value);
        }
        else
        {
            Write(ref slots[i], Full, key, value);
        }

        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Removes the entry; false when there was none. Writer only.</summary>
    public bool Remove(in TKey key)
    {
        var slots = _slots;
        var i = Home(key, slots.Length);
        while (true)
        {
            ref var slot = ref slots[i];
            var state = slot.Version & StateMask;
            if (state == Empty)
            {
                return false;
            }

            if (state == Full && slot.Key.Equals(key))
            {
                Write(ref slot, Deleted, default, default);
                _tombstones++;
                Volatile.Write(ref _count, _count - 1);

                // More tombstones than entries (a burst of windows expired): rebuild, smaller if the entries allow.
                if (_tombstones > slots.Length / 4 && _tombstones > _count)
                {
                    Rebuild(_count * 3L / 2);
                }

                return true;
            }

            i = Next(i, slots.Length);
        }
    }

    /// <summary>
    /// The entries in slot order. On the writer's thread (or with the writer paused) this is exact; on another thread
    /// while the writer runs it is weakly consistent (each entry read whole, the set may mix before and after).
    /// </summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> Entries()
    {
        var slots = Volatile.Read(ref _slots);
        for (var i = 0; i < slots.Length; i++)
        {
            if (TryReadSlot(slots, i, out var key, out var value))
            {
                yield return new KeyValuePair<TKey, TValue>(key, value);
            }
        }
    }

    /// <summary>Slots that hold <paramref name="entries"/> at most three quarters full.</summary>
    private static int CapacityFor(long entries)
    {
        var wanted = Math.Max(MinCapacity, (entries * 4 / 3) + 1);
        if (wanted > Array.MaxLength / 2)
        {
            throw new InvalidOperationException($"SingleWriterMap cannot hold {entries} entries.");
        }

        return (int)wanted;
    }

    /// <summary>The hash's high 32 bits scaled to the table (multiply-shift, no power-of-two size needed). Monotonic in
    /// the hash, so entries saved in slot order load in slot order into a table of any size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Home(in TKey key, int length) => (int)(((key.Hash64() >> 32) * (ulong)(uint)length) >> 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Next(int i, int length) => i + 1 == length ? 0 : i + 1;

    private static bool TryReadSlot(Slot[] slots, int i, out TKey key, out TValue value)
    {
        ref var slot = ref slots[i];
        while (true)
        {
            var version = Volatile.Read(ref slot.Version);
            key = slot.Key;
            value = slot.Value;
            Interlocked.MemoryBarrier();
            if ((version & Writing) == 0 && Volatile.Read(ref slot.Version) == version)
            {
                return (version & StateMask) == Full;
            }

            Thread.SpinWait(1);
        }
    }

    private static void Write(ref Slot slot, uint state, in TKey key, TValue value)
    {
        var next = (slot.Version & ~(StateMask | Writing)) + Step;

        // Odd first, and visible before any field changes (Interlocked.Exchange is a full fence).
        Interlocked.Exchange(ref slot.Version, next | Writing | (slot.Version & StateMask));
        slot.Key = key;
        slot.Value = value;
        Volatile.Write(ref slot.Version, next | state);
    }

    private void Rebuild(long entries)
    {
        var old = _slots;
        var slots = HugePageArray.AllocateZeroed<Slot>(CapacityFor(entries));
        for (var i = 0; i < old.Length; i++)
        {
            if ((old[i].Version & StateMask) == Full)
            {
                // Into an array no reader has seen yet: no version changes needed beyond the state.
                var j = Home(old[i].Key, slots.Length);
                while ((slots[j].Version & StateMask) == Full)
                {
                    j = Next(j, slots.Length);
                }

                slots[j] = old[i];
            }
        }

        _tombstones = 0;
        Volatile.Write(ref _slots, slots);
    }

    private struct Slot
    {
        public uint Version;
        public TKey Key;
        public TValue Value;
    }
}
