using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Mo;

// Review items and removal requests: lookups for the workflow RPCs and claims for their decisions on the pipeline's loop.
internal sealed partial class MoLedger
{
    /// <summary>The item (a clone) and whether it is resolved or has a resolution in flight.</summary>
    public bool TryGetReviewItem(string tenant, string id, out ReviewItem item, out bool closed)
    {
        lock (_lock)
        {
            if (_reviewItems.TryGetValue(id, out var state) && state.Tenant == tenant)
            {
                item = state.Item.Clone();
                closed = state.Resolved || _pendingReviewItems.ContainsKey(id);
                return true;
            }

            item = null!;
            closed = false;
            return false;
        }
    }

    public void ClaimReviewResolution(string id, MoTicket ticket)
    {
        lock (_lock)
        {
            _pendingReviewItems[id] = ticket;
            ticket.ReviewItems.Add(id);
        }
    }

    /// <summary>The open items of a tenant (optionally of one sender), oldest first (receive time, then sequence); clones.</summary>
    public List<ReviewItem> OpenReviewItems(string tenant, string sender)
    {
        var items = new List<ReviewItem>();
        lock (_lock)
        {
            foreach (var state in _reviewItems.Values)
            {
                if (!state.Resolved && state.Tenant == tenant && (sender.Length == 0 || state.Item.Sender == sender))
                {
                    items.Add(state.Item.Clone());
                }
            }
        }

        items.Sort(static (a, b) =>
        {
            var c = a.ReceiveTime.CompareTo(b.ReceiveTime);
            return c != 0 ? c : a.Sequence.CompareTo(b.Sequence);
        });
        return items;
    }

    /// <summary>The request (a clone) and whether a review of it is in flight.</summary>
    public bool TryGetRemoval(string tenant, string id, out RemovalRequest request, out bool reviewPending)
    {
        lock (_lock)
        {
            if (_removals.TryGetValue(id, out var state) && state.Tenant == tenant)
            {
                request = state.Request.Clone();
                reviewPending = _pendingRemovals.ContainsKey(id);
                return true;
            }

            request = null!;
            reviewPending = false;
            return false;
        }
    }

    /// <summary>True when a PENDING request (or one being created) names the same entry; otherwise claims the target.</summary>
    public bool TryClaimRemovalTarget(RemovalTarget target, MoTicket ticket)
    {
        lock (_lock)
        {
            if (_pendingRemovalTargets.ContainsKey(target))
            {
                return false;
            }

            foreach (var state in _removals.Values)
            {
                if (state.Request.State == RemovalRequestState.Pending && state.Target == target)
                {
                    return false;
                }
            }

            _pendingRemovalTargets[target] = ticket;
            ticket.RemovalTargets.Add(target);
            return true;
        }
    }

    public void ClaimRemovalReview(string id, MoTicket ticket)
    {
        lock (_lock)
        {
            _pendingRemovals[id] = ticket;
            ticket.Removals.Add(id);
        }
    }

    /// <summary>A tenant's requests, optionally by state and recipient, oldest first (create sequence); clones.</summary>
    public List<RemovalRequest> ListRemovals(string tenant, RemovalRequestState state, string recipient)
    {
        var list = new List<RemovalRequest>();
        lock (_lock)
        {
            foreach (var removal in _removals.Values)
            {
                var request = removal.Request;
                if (removal.Tenant == tenant
                    && (state == RemovalRequestState.Unspecified || request.State == state)
                    && (recipient.Length == 0 || request.Recipient == recipient))
                {
                    list.Add(request.Clone());
                }
            }
        }

        list.Sort(static (a, b) => a.CreateSequence.CompareTo(b.CreateSequence));
        return list;
    }
}
