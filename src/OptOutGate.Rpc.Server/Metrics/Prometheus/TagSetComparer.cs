namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>Compares tag sets, and a measurement's tag span with a stored tag set (the listener callback's lookup).</summary>
internal sealed class TagSetComparer : IEqualityComparer<TagSet>, IAlternateEqualityComparer<TagSpan, TagSet>
{
    public static readonly TagSetComparer Instance = new();

    public bool Equals(TagSet? x, TagSet? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Hash != y.Hash || x.Keys.Length != y.Keys.Length)
        {
            return false;
        }

        for (var i = 0; i < x.Keys.Length; i++)
        {
            if (!string.Equals(x.Keys[i], y.Keys[i], StringComparison.Ordinal) || !Equals(x.Values[i], y.Values[i]))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(TagSet obj) => obj.Hash;

    public bool Equals(TagSpan alternate, TagSet other) => other.Matches(alternate.Tags);

    public int GetHashCode(TagSpan alternate) => TagSet.HashOf(alternate.Tags);

    public TagSet Create(TagSpan alternate) => TagSet.Create(alternate.Tags);
}
