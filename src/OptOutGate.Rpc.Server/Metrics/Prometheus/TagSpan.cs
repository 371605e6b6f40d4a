namespace OptOutGate.Rpc.Server.Metrics.Prometheus;

/// <summary>The tags of a measurement as the listener hands them over, used to look a series up without allocating.</summary>
internal readonly ref struct TagSpan
{
    public TagSpan(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Tags = tags;
    }

    public ReadOnlySpan<KeyValuePair<string, object?>> Tags { get; }
}
