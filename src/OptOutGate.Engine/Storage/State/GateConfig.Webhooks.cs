using System.Collections.Concurrent;
using System.Collections.Frozen;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Storage.State;

/// <summary>
/// The tenants' webhook subscriptions (admin_webhooks.proto), applied from their CONFIG_PUT / CONFIG_DELETE records like
/// every other configuration, so restarts and replicas agree on them. The stored form keeps the secrets; Admin reads
/// blank them.
/// </summary>
internal sealed partial class GateConfig
{
    private readonly ConcurrentDictionary<(string Tenant, string Id), WebhookSubscriptionConfig> _webhooks = new();

    // Tenants with a subscription that asks for every MO reply: read on every HELP and NONE MO, so a set, not a scan, and
    // one replaced whole by the applier (rare) rather than a ConcurrentDictionary, whose IsEmpty takes every lock.
    private volatile FrozenSet<string> _replyCallbackTenants = FrozenSet<string>.Empty;

    /// <summary>Raised on the applier's thread after a subscription was put or deleted (the delivery side reconciles its workers).</summary>
    public event Action<string, string>? WebhookSubscriptionChanged;

    public bool TryGetWebhookSubscription(string tenant, string id, out WebhookSubscriptionConfig subscription) =>
        _webhooks.TryGetValue((tenant, id), out subscription!);

    /// <summary>The tenant's subscriptions ordered by id (ordinal).</summary>
    public IReadOnlyList<WebhookSubscriptionConfig> ListWebhookSubscriptions(string tenant)
    {
        var list = new List<WebhookSubscriptionConfig>();
        foreach (var (key, subscription) in _webhooks)
        {
            if (key.Tenant == tenant)
            {
                list.Add(subscription);
            }
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Subscription.Id, b.Subscription.Id));
        return list;
    }

    /// <summary>Every subscription of every tenant, with its tenant (the delivery workers, snapshots).</summary>
    public IEnumerable<KeyValuePair<(string Tenant, string Id), WebhookSubscriptionConfig>> WebhookSubscriptions => _webhooks;

    /// <summary>
    /// True when the tenant has a subscription to every MO reply (<see cref="WebhookEventType.MoReply"/>, paused ones
    /// included: they catch up): then every MO is recorded, HELP and NONE too.
    /// </summary>
    public bool RecordsEveryMo(string tenant) => _replyCallbackTenants is { Count: > 0 } tenants && tenants.Contains(tenant);

    internal void PutWebhookSubscription(string tenant, WebhookSubscriptionConfig subscription, Timestamp updateTime, ulong sequence)
    {
        var stored = subscription.Clone();
        var resource = stored.Subscription ??= new WebhookSubscription();
        resource.UpdateTime = updateTime;
        resource.UpdateSequence = sequence;
        resource.Status = null;
        resource.Secret = "";
        if (resource.StartSequence == 0)
        {
            // Written by the creation record: events start after it.
            resource.StartSequence = sequence + 1;
            resource.CreateTime = updateTime;
        }

        // The progress is the WebhookProgress records' (an Admin change carries whatever it read): kept across changes.
        if (_webhooks.TryGetValue((tenant, resource.Id), out var existing))
        {
            stored.DeliveredSequence = existing.DeliveredSequence;
        }

        _webhooks[(tenant, resource.Id)] = stored;
        RecountReplyCallbacks(tenant);
        WebhookSubscriptionChanged?.Invoke(tenant, resource.Id);
    }

    /// <summary>
    /// Records how far a subscription's deliveries stand (a WebhookProgress record): readers see a new stored value, never
    /// a changed one. No <see cref="WebhookSubscriptionChanged"/>: the subscription itself did not change.
    /// </summary>
    internal void SetWebhookProgress(string tenant, WebhookProgress progress)
    {
        if (_webhooks.TryGetValue((tenant, progress.SubscriptionId), out var existing))
        {
            var stored = existing.Clone();
            stored.DeliveredSequence = progress.DeliveredSequence;
            _webhooks[(tenant, progress.SubscriptionId)] = stored;
        }
    }

    internal void DeleteWebhookSubscription(string tenant, string id)
    {
        _webhooks.TryRemove((tenant, id), out _);
        RecountReplyCallbacks(tenant);
        WebhookSubscriptionChanged?.Invoke(tenant, id);
    }

    private void RecountReplyCallbacks(string tenant)
    {
        var any = false;
        foreach (var (key, subscription) in _webhooks)
        {
            if (key.Tenant == tenant && subscription.Subscription.EventTypes.Contains(WebhookEventType.MoReply))
            {
                any = true;
                break;
            }
        }

        var tenants = _replyCallbackTenants;
        if (any != tenants.Contains(tenant))
        {
            var changed = new HashSet<string>(tenants, StringComparer.Ordinal);
            if (any)
            {
                changed.Add(tenant);
            }
            else
            {
                changed.Remove(tenant);
            }

            _replyCallbackTenants = changed.ToFrozenSet(StringComparer.Ordinal);
        }
    }
}
