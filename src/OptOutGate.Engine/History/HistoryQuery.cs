using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;

namespace OptOutGate.Engine.History;

/// <summary>
/// A validated <see cref="HistoryFilter"/> of one tenant (admin_history.proto): every set filter must match. The
/// tenant is the caller's, never the request's. Built by <see cref="TryCreate"/>, which names the bad field.
/// </summary>
internal sealed class HistoryQuery
{
    private const int MaxSenderLength = 32;
    private const int MaxAppLength = 64;

    private HistoryQuery(string tenantId)
    {
        TenantId = tenantId;
    }

    public string TenantId { get; }

    /// <summary>The recipient filter as a number; 0 = any.</summary>
    public ulong Recipient { get; private init; }

    public string Sender { get; private init; } = "";

    public bool IncludeTenantWide { get; private init; }

    public string App { get; private init; } = "";

    /// <summary>Inclusive lower bound of event_time (UTC); null = open.</summary>
    public DateTime? Start { get; private init; }

    /// <summary>Exclusive upper bound of event_time (UTC); null = open.</summary>
    public DateTime? End { get; private init; }

    /// <summary>Bit n set = ChangeAction n accepted; 0 = any.</summary>
    public uint Actions { get; private init; }

    /// <summary>Bit n set = Source n accepted; 0 = any.</summary>
    public uint Sources { get; private init; }

    /// <summary>An unfiltered query of the tenant (every record, oldest first).</summary>
    public static HistoryQuery All(string tenantId) => new(tenantId);

    public static bool TryCreate(string tenantId, HistoryFilter? filter, out HistoryQuery query, out string error)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        filter ??= new HistoryFilter();
        query = new HistoryQuery(tenantId);
        ulong recipient = 0;
        if (filter.Recipient.Length != 0 && !E164.TryParse(filter.Recipient, out recipient))
        {
            error = "filter.recipient is not E.164 ('+' and 8-15 digits, no leading 0).";
            return false;
        }

        if (filter.Sender.Length > MaxSenderLength)
        {
            error = "filter.sender is longer than 32 characters.";
            return false;
        }

        if (filter.App.Length > MaxAppLength)
        {
            error = "filter.app is longer than 64 characters.";
            return false;
        }

        if (filter.IncludeTenantWide && filter.Sender.Length == 0)
        {
            error = "filter.include_tenant_wide needs filter.sender.";
            return false;
        }

        if (!TimeRanges.TryRead(filter.TimeRange, "filter.time_range", out var start, out var end, out error))
        {
            return false;
        }

        uint actions = 0;
        foreach (var action in filter.Actions)
        {
            if (action is <= ChangeAction.Unspecified or > ChangeAction.ConfirmationSent)
            {
                error = "filter.actions holds an unknown or unspecified action.";
                return false;
            }

            actions |= 1u << (int)action;
        }

        uint sources = 0;
        foreach (var source in filter.Sources)
        {
            if (source is <= Source.Unspecified or > Source.ProviderError)
            {
                error = "filter.sources holds an unknown or unspecified source.";
                return false;
            }

            sources |= 1u << (int)source;
        }

        query = new HistoryQuery(tenantId)
        {
            Recipient = recipient,
            Sender = filter.Sender,
            IncludeTenantWide = filter.IncludeTenantWide,
            App = filter.App,
            Start = start,
            End = end,
            Actions = actions,
            Sources = sources,
        };
        error = "";
        return true;
    }

    /// <summary>Whether <paramref name="record"/> passes every filter (the tenant included).</summary>
    public bool Matches(ChangeRecord record)
    {
        if (!string.Equals(record.TenantId, TenantId, StringComparison.Ordinal))
        {
            return false;
        }

        if (Recipient != 0 && (!E164.TryParse(record.Recipient, out var recipient) || recipient != Recipient))
        {
            return false;
        }

        if (Sender.Length != 0
            && !string.Equals(record.Sender, Sender, StringComparison.Ordinal)
            && !(IncludeTenantWide && record.Sender.Length == 0))
        {
            return false;
        }

        if (App.Length != 0 && !string.Equals(record.App, App, StringComparison.Ordinal))
        {
            return false;
        }

        if (Actions != 0 && (Actions & (1u << (int)record.Action)) == 0)
        {
            return false;
        }

        if (Sources != 0 && (Sources & (1u << (int)record.Source)) == 0)
        {
            return false;
        }

        if (Start is not null || End is not null)
        {
            var time = record.EventTime?.ToDateTime() ?? DateTime.MinValue;
            if ((Start is { } start && time < start) || (End is { } end && time >= end))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The fingerprint of these filters and the order, for page tokens.</summary>
    public ulong Fingerprint(bool newestFirst) => new Fingerprint()
        .Add(TenantId)
        .Add(Recipient)
        .Add(Sender)
        .Add(IncludeTenantWide ? 1UL : 0)
        .Add(App)
        .Add((ulong)(Start?.Ticks ?? -1L))
        .Add((ulong)(End?.Ticks ?? -1L))
        .Add(Actions)
        .Add(Sources)
        .Add(newestFirst ? 1UL : 0)
        .Compute();
}
