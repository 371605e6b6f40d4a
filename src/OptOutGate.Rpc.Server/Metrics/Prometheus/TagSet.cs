using System.Text;

namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>
/// The tags of one series, order-insensitive, with their exposition text rendered once when the series is created
/// (<c>a="x",b="y"</c>, sorted by label name).
/// </summary>
internal sealed class TagSet
{
    public static readonly TagSet Empty = new([], [], string.Empty, 0);

    private TagSet(string[] keys, object?[] values, string labels, int hash)
    {
        Keys = keys;
        Values = values;
        Labels = labels;
        Hash = hash;
    }

    public string[] Keys { get; }

    public object?[] Values { get; }

    /// <summary>The label pairs as exposition text without braces; empty for no tags.</summary>
    public string Labels { get; }

    public int Hash { get; }

    public static TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return Empty;
        }

        var pairs = tags.ToArray();
        Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var keys = new string[pairs.Length];
        var values = new object?[pairs.Length];
        var text = new StringBuilder();
        for (var i = 0; i < pairs.Length; i++)
        {
            keys[i] = pairs[i].Key;
            values[i] = pairs[i].Value;
            if (i > 0)
            {
                text.Append(',');
            }

            PrometheusText.AppendLabel(text, PrometheusNaming.SanitizeLabelName(pairs[i].Key), PrometheusText.FormatLabelValue(pairs[i].Value));
        }

        return new TagSet(keys, values, text.ToString(), HashOf(tags));
    }

    /// <summary>Order-insensitive (a sum of per-tag hashes), so that the same tags in another order find the same series.</summary>
    public static int HashOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = 0;
        foreach (var tag in tags)
        {
            hash = unchecked(hash + HashCode.Combine(tag.Key, tag.Value));
        }

        return hash;
    }

    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != Keys.Length)
        {
            return false;
        }

        foreach (var tag in tags)
        {
            var index = Array.IndexOf(Keys, tag.Key);
            if (index < 0 || !Equals(Values[index], tag.Value))
            {
                return false;
            }
        }

        return true;
    }
}
