namespace OptOutGate.Server.Admin;

/// <summary>
/// The (target, recipient) pairs a dry run has counted as added, so that a repeated line counts as already present, as
/// the real run's write would find it. The one piece of a dry run that grows with the lines: an exact answer needs every
/// distinct pair. Open addressing over 8-byte keys (one table per target, the E.164 digits as key, never 0) holds a
/// pair in 10.7-21.3 bytes (load 37.5-75 %); a <c>HashSet&lt;(int, ulong)&gt;</c> took 28-56 (its 24-byte entries, the
/// bucket array, doubling), which at the 10,000,000-line limit is the difference between about 200 MB and 500 MB.
/// </summary>
internal sealed class ImportSeenSet
{
    private const int InitialCapacity = 1024;
    private readonly List<ulong[]> _tables = [];
    private readonly List<int> _counts = [];

    /// <summary>Adds the pair; false when it was already there.</summary>
    public bool Add(int target, ulong recipient)
    {
        while (_tables.Count <= target)
        {
            _tables.Add(new ulong[InitialCapacity]);
            _counts.Add(0);
        }

        var table = _tables[target];
        if (!Insert(table, recipient))
        {
            return false;
        }

        _counts[target]++;
        if (_counts[target] * 4 > table.Length * 3)
        {
            _tables[target] = Grow(table);
        }

        return true;
    }

    private static bool Insert(ulong[] table, ulong key)
    {
        var mask = table.Length - 1;
        for (var slot = (int)(Mix(key) & (ulong)mask); ; slot = (slot + 1) & mask)
        {
            if (table[slot] == key)
            {
                return false;
            }

            if (table[slot] == 0)
            {
                table[slot] = key;
                return true;
            }
        }
    }

    private static ulong[] Grow(ulong[] table)
    {
        var grown = new ulong[table.Length * 2];
        foreach (var key in table)
        {
            if (key != 0)
            {
                Insert(grown, key);
            }
        }

        return grown;
    }

    // Neighbouring numbers (a list sorted by number) must not fill neighbouring slots: murmur3's 64-bit finalizer.
    private static ulong Mix(ulong key)
    {
        key ^= key >> 33;
        key *= 0xFF51AFD7ED558CCDUL;
        key ^= key >> 33;
        key *= 0xC4CEB9FE1A85EC53UL;
        key ^= key >> 33;
        return key;
    }
}
