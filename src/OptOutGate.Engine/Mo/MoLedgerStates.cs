using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo;

/// <summary>A review item as the ledger keeps it: the contract's item (without due/overdue, computed when listed) and whether it is resolved.</summary>
internal sealed class ReviewItemState(string tenant, ReviewItem item)
{
    public string Tenant { get; } = tenant;

    /// <summary>Never changed once folded; clone before handing it out with per-response fields.</summary>
    public ReviewItem Item { get; } = item;

    public bool Resolved { get; set; }
}

/// <summary>A removal request as the ledger keeps it (the contract's message, updated by the review's records).</summary>
internal sealed class RemovalState(string tenant, RemovalRequest request)
{
    public string Tenant { get; } = tenant;

    public RemovalRequest Request { get; } = request;

    public RemovalTarget Target => new(Tenant, Request.Scope, Request.Sender, Request.App, Request.Recipient);
}
