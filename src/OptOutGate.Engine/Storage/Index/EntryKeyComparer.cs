using FASTER.core;

namespace OptOutGate.Engine.Storage.Index;

/// <summary>
/// FASTER's comparer for <see cref="EntryKey"/>: the deterministic <see cref="EntryKey.Hash64"/> (bucket positions
/// live in index checkpoints, so the hash must not change between processes) and a field-wise equality.
/// </summary>
internal sealed class EntryKeyComparer : IFasterEqualityComparer<EntryKey>
{
    public static readonly EntryKeyComparer Instance = new();

    private EntryKeyComparer()
    {
    }

    public long GetHashCode64(ref EntryKey key) => key.Hash64();

    public bool Equals(ref EntryKey left, ref EntryKey right) =>
        left.RecipientAndKind == right.RecipientAndKind && left.ScopeId == right.ScopeId && left.TenantId == right.TenantId;
}
