using System.Collections.Concurrent;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// The kinds of entry (opt-out, suppression, bypass, address opt-in) each scope of each tenant has ever held, so that a
/// check reads only the keys that can exist: a recipient the filter says "maybe" to is otherwise read once per kind and
/// scope a verdict depends on (six keys without an app, nine with one), though most scopes never hold a suppression or
/// a bypass, and each read is a FASTER lookup (tests/OptOutGate.Benchmarks, IndexLookupBenchmarks: at 10M entries one
/// read per "maybe" costs 29.7 ns per recipient, nine 63.3).
/// <para>
/// Never too few, so never a wrong ALLOWED: a kind is marked before its first entry reaches FASTER (by
/// <see cref="EntryIndex.Upsert"/>, as the recipient filter is) and never unmarked (a deleted entry only costs reads),
/// and until the set is complete every kind counts as present. A new index is complete from the start; a recovered one
/// becomes complete once a scan of its log has marked every record in it (<see cref="EntryIndex"/>.Recover), while the
/// applier goes on marking what it writes. A reader that finds the set complete sees every mark made before the
/// records it can read (the marks are stored before the records, and the completion after the scan).
/// </para>
/// </summary>
internal sealed class ScopeKinds
{
    /// <summary>Every kind: what a scope holds for all a reader knows while the set is incomplete.</summary>
    public const byte All = (1 << (int)EntryKind.OptOut) | (1 << (int)EntryKind.Suppression) | (1 << (int)EntryKind.Bypass) | (1 << (int)EntryKind.AddressOptIn);

    private readonly ConcurrentDictionary<ulong, byte> _kinds = new();
    private volatile bool _complete;

    public ScopeKinds(bool complete) => _complete = complete;

    /// <summary>Whether every record of the index has been marked (until then <see cref="Of"/> answers <see cref="All"/>).</summary>
    public bool IsComplete => _complete;

    /// <summary>The bit of one kind in what <see cref="Of"/> returns.</summary>
    public static byte Bit(EntryKind kind) => (byte)(1 << (int)kind);

    /// <summary>Marks the key's kind in its scope. Any thread (the applier, and the scan after a recovery).</summary>
    public void Mark(in EntryKey key)
    {
        var scope = ((ulong)key.TenantId << 32) | key.ScopeId;
        var bit = Bit(key.Kind);
        if (_kinds.TryGetValue(scope, out var held) && (held & bit) != 0)
        {
            return;
        }

        _kinds.AddOrUpdate(scope, static (_, bit) => bit, static (_, held, bit) => (byte)(held | bit), bit);
    }

    /// <summary>Every record is marked: from now on <see cref="Of"/> answers what was marked.</summary>
    public void Complete() => _complete = true;

    /// <summary>The kinds the scope may hold (<see cref="Bit"/> of each); <see cref="All"/> while incomplete.</summary>
    public byte Of(uint tenantId, uint scopeId)
    {
        if (!_complete)
        {
            return All;
        }

        return _kinds.TryGetValue(((ulong)tenantId << 32) | scopeId, out var held) ? held : (byte)0;
    }
}
