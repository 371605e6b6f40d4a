namespace OptOutGate.Engine.Writes;

/// <summary>A request to <see cref="WritePipeline"/>. Immutable once submitted.</summary>
internal abstract class WriteRequest
{
    /// <summary>The tenant of the call (the API key's); required.</summary>
    public required string TenantId { get; init; }

    /// <summary>Key id of the API key making the change (never the key); recorded as actor_key_id.</summary>
    public string ActorKeyId { get; init; } = "";

    /// <summary>When the change happened; null = the time the pipeline validates the request.</summary>
    public DateTimeOffset? EventTime { get; init; }

    /// <summary>Number of items (recipients, changes) of the request, for batching.</summary>
    internal abstract int ItemCount { get; }
}
