using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Writes;

/// <summary>
/// Put or delete one configuration resource (Admin PutInboundAddress, DeleteInboundAddress, PutBlockingRule,
/// DeleteBlockingRule, UpdateTenantPolicy, the webhook subscriptions' create, update and delete). For deletes, <see cref="Change"/> holds the resource with only its identity
/// (sender, and app for a rule). Results: one item, WRITTEN or NOT_FOUND (delete of a missing resource, or a blocking
/// rule for an address that does not exist). Field validation is the caller's (the handlers know the contract limits).
/// </summary>
internal sealed class ConfigWriteRequest : WriteRequest
{
    public required ConfigChange Change { get; init; }

    public bool Delete { get; init; }

    /// <summary>A put that replaces an existing resource only (a webhook subscription's update): NOT_FOUND when it is gone.</summary>
    public bool MustExist { get; init; }

    public string Reason { get; init; } = "";

    internal override int ItemCount => 1;
}
