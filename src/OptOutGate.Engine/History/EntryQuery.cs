using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.State;
using IndexEntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.History;

/// <summary>A validated <see cref="EntryFilter"/> of one tenant (admin_optouts.proto ListEntries, ExportEntries).</summary>
internal sealed class EntryQuery
{
    private EntryQuery(string tenantId)
    {
        TenantId = tenantId;
    }

    public string TenantId { get; }

    /// <summary>0 = every kind.</summary>
    public IndexEntryKind Kind { get; private init; }

    public string Sender { get; private init; } = "";

    public string App { get; private init; } = "";

    public Scope Scope { get; private init; }

    /// <summary>0 = any recipient.</summary>
    public ulong Recipient { get; private init; }

    public Source Source { get; private init; }

    /// <summary>Inclusive lower bound of update_time (the event time of the entry's last change); null = open.</summary>
    public DateTime? Start { get; private init; }

    /// <summary>Exclusive upper bound of update_time; null = open.</summary>
    public DateTime? End { get; private init; }

    public static bool TryCreate(string tenantId, EntryFilter? filter, out EntryQuery query, out string error)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        filter ??= new EntryFilter();
        query = new EntryQuery(tenantId);
        ulong recipient = 0;
        if (filter.Kind is < EntryKind.Unspecified or > EntryKind.AddressOptIn)
        {
            error = "filter.kind is not a known entry kind.";
            return false;
        }

        if (filter.Scope is < Scope.Unspecified or > Scope.Tenant)
        {
            error = "filter.scope is not a known scope.";
            return false;
        }

        if (filter.Source is < Source.Unspecified or > Source.ProviderError)
        {
            error = "filter.source is not a known source.";
            return false;
        }

        if (filter.Recipient.Length != 0 && !E164.TryParse(filter.Recipient, out recipient))
        {
            error = "filter.recipient is not E.164 ('+' and 8-15 digits, no leading 0).";
            return false;
        }

        if (filter.Sender.Length > 32 || filter.App.Length > 64)
        {
            error = filter.Sender.Length > 32 ? "filter.sender is longer than 32 characters." : "filter.app is longer than 64 characters.";
            return false;
        }

        if (filter.Scope == Scope.Tenant && (filter.Sender.Length != 0 || filter.App.Length != 0))
        {
            error = "filter.scope SCOPE_TENANT cannot be combined with filter.sender or filter.app (tenant-wide entries have neither).";
            return false;
        }

        if (!TimeRanges.TryRead(filter.TimeRange, "filter.time_range", out var start, out var end, out error))
        {
            return false;
        }

        query = new EntryQuery(tenantId)
        {
            Kind = (IndexEntryKind)(byte)filter.Kind,
            Sender = filter.Sender,
            App = filter.App,
            Scope = filter.Scope,
            Recipient = recipient,
            Source = filter.Source,
            Start = start,
            End = end,
        };
        return true;
    }

    /// <summary>The filters that the index entry alone can decide (everything but the time range).</summary>
    public bool MatchesEntry(IndexEntryKind kind, ScopeName scope, ulong recipient, byte source)
    {
        if ((Kind != 0 && kind != Kind) || (Recipient != 0 && recipient != Recipient))
        {
            return false;
        }

        if (Source != Source.Unspecified && source != (byte)Source)
        {
            return false;
        }

        if ((Sender.Length != 0 && !string.Equals(scope.Sender, Sender, StringComparison.Ordinal))
            || (App.Length != 0 && !string.Equals(scope.App, App, StringComparison.Ordinal)))
        {
            return false;
        }

        return Scope == Scope.Unspecified || EntryTarget.ScopeOf(scope.Sender, scope.App) == Scope;
    }

    public bool MatchesTime(ChangeRecord record)
    {
        if (Start is null && End is null)
        {
            return true;
        }

        var time = record.EventTime?.ToDateTime() ?? DateTime.MinValue;
        return (Start is not { } start || time >= start) && (End is not { } end || time < end);
    }

    public ulong Fingerprint() => new Fingerprint()
        .Add(TenantId)
        .Add((ulong)Kind)
        .Add(Sender)
        .Add(App)
        .Add((ulong)Scope)
        .Add(Recipient)
        .Add((ulong)Source)
        .Add((ulong)(Start?.Ticks ?? -1L))
        .Add((ulong)(End?.Ticks ?? -1L))
        .Compute();
}
