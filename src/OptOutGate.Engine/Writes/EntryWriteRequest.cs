using OptOutGate.Contracts.V1;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Writes;

/// <summary>
/// Add or remove entries of one kind under one target for many recipients (Admin AddOptOuts, RemoveOptOuts,
/// Add/RemoveSuppressions, Add/RemoveBypasses, ReportProviderError, imports). One history record per recipient that
/// changes; each recipient gets its own <see cref="WriteItemResult"/>, in request order.
/// </summary>
internal sealed class EntryWriteRequest : WriteRequest
{
    public required EntryWriteOperation Operation { get; init; }

    public required EntryKind Kind { get; init; }

    /// <summary>The target (admin_optouts.proto "Targets"); UNSPECIFIED derives SENDER or SENDER_APP from <see cref="App"/>.</summary>
    public Scope Scope { get; init; }

    public string Sender { get; init; } = "";

    public string App { get; init; } = "";

    /// <summary>The recipients as sent; malformed ones get INVALID_RECIPIENT.</summary>
    public required IReadOnlyList<string> Recipients { get; init; }

    /// <summary>Suppression and bypass adds: the SMS-type mask (bit n = SmsType n); ignored otherwise.</summary>
    public byte SmsTypeMask { get; init; }

    /// <summary>The source recorded (API for the opt-out API, ADMIN for suppression and bypass, IMPORT, PROVIDER_ERROR, REMOVAL_APPROVED...).</summary>
    public required Source Source { get; init; }

    public string Reason { get; init; } = "";

    /// <summary>Remove: also lift opt-outs made by MO keyword. Counts only with a non-empty <see cref="Reason"/>.</summary>
    public bool Override { get; init; }

    /// <summary>Recorded as source_name (import list, provider name).</summary>
    public string SourceName { get; init; } = "";

    /// <summary>Recorded as provider_error_code.</summary>
    public string ProviderErrorCode { get; init; } = "";

    /// <summary>The approved removal request that lifts the opt-outs (with <see cref="Source"/> REMOVAL_APPROVED, which also allows lifting MO opt-outs).</summary>
    public string RemovalRequestId { get; init; } = "";

    /// <summary>
    /// Only for ReportProviderError: the app that sent, recorded on the record but not part of the SCOPE_SENDER target.
    /// </summary>
    public string RecordedApp { get; init; } = "";

    internal override int ItemCount => Recipients.Count;
}
