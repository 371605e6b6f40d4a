using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// Names interned to small ids (1, 2, ...; 0 = none), both ways, read lock-free from any thread while one writer (the
/// applier) adds names. The writer fills the id's reverse slot, in a grown copy of the array when needed, before it
/// publishes the id, so a reader that finds an id can always resolve it back.
/// </summary>
internal sealed class InternTable<TName>
    where TName : notnull
{
    private volatile TName[] _names;
    private uint _count;

    public InternTable(IEqualityComparer<TName> comparer, int capacity)
    {
        Ids = new ConcurrentDictionary<TName, uint>(comparer);
        _names = new TName[capacity];
    }

    /// <summary>The ids by name, for lookups (an alternate lookup by span included); only <see cref="Intern"/> adds to it.</summary>
    public ConcurrentDictionary<TName, uint> Ids { get; }

    /// <summary>Names interned so far; ids 1..Count are assigned.</summary>
    public int Count => (int)Volatile.Read(ref _count);

    /// <summary>The name of <paramref name="id"/>; false for 0 and for ids not assigned yet.</summary>
    public bool TryGetName(uint id, [MaybeNullWhen(false)] out TName name)
    {
        // The count first: the slots of every id up to it were filled before it was published.
        var count = (uint)Count;
        var names = _names;
        if (id == 0 || id > count)
        {
            name = default;
            return false;
        }

        name = names[id];
        return true;
    }

    /// <summary>The assigned names by id (slot 0 and slots past <paramref name="count"/> unset), and how many: one consistent snapshot.</summary>
    public TName[] Snapshot(out int count)
    {
        count = Count;
        return _names;
    }

    /// <summary>Writer only: the id of <paramref name="name"/>, assigning the next one when the name is new.</summary>
    public uint Intern(TName name)
    {
        if (Ids.TryGetValue(name, out var id))
        {
            return id;
        }

        id = _count + 1;
        var names = _names;
        if (id >= names.Length)
        {
            Array.Resize(ref names, names.Length * 2);
        }

        names[id] = name;
        _names = names;
        Ids[name] = id;
        Volatile.Write(ref _count, id);
        return id;
    }
}
