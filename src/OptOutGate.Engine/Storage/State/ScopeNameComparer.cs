namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// Ordinal comparer for <see cref="ScopeName"/> that also accepts <see cref="ScopeNameSpan"/> (an alternate lookup), so
/// both forms hash the same way. Hashes are per process (string hashing is seeded): scope ids, not hashes, persist.
/// </summary>
internal sealed class ScopeNameComparer : IEqualityComparer<ScopeName>, IAlternateEqualityComparer<ScopeNameSpan, ScopeName>
{
    public static readonly ScopeNameComparer Instance = new();

    public bool Equals(ScopeName x, ScopeName y) =>
        x.TenantId == y.TenantId && string.Equals(x.Sender, y.Sender, StringComparison.Ordinal) && string.Equals(x.App, y.App, StringComparison.Ordinal);

    public int GetHashCode(ScopeName obj) => Hash(obj.TenantId, obj.Sender, obj.App);

    public bool Equals(ScopeNameSpan alternate, ScopeName other) =>
        alternate.TenantId == other.TenantId && alternate.Sender.SequenceEqual(other.Sender) && alternate.App.SequenceEqual(other.App);

    public int GetHashCode(ScopeNameSpan alternate) => Hash(alternate.TenantId, alternate.Sender, alternate.App);

    public ScopeName Create(ScopeNameSpan alternate) => new(alternate.TenantId, alternate.Sender.ToString(), alternate.App.ToString());

    private static int Hash(uint tenantId, ReadOnlySpan<char> sender, ReadOnlySpan<char> app) =>
        HashCode.Combine(tenantId, string.GetHashCode(sender, StringComparison.Ordinal), string.GetHashCode(app, StringComparison.Ordinal));
}
