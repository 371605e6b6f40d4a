using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.State;

namespace OptOutGate.Engine.Writes;

/// <summary>
/// An entry as the write pipeline sees it: from the applied index, or made by a record of this pipeline that is not
/// applied yet (<see cref="PendingRecord"/>).
/// </summary>
internal readonly struct EntryState
{
    private readonly EntryValue _applied;

    public EntryState(EntryValue applied, ChangeRecord? pendingRecord)
    {
        _applied = applied;
        PendingRecord = pendingRecord;
    }

    public ChangeRecord? PendingRecord { get; }

    /// <summary>The entry's last record; for a pending record known once its append started (0 before, within the same batch).</summary>
    public ulong Sequence => PendingRecord?.Sequence ?? _applied.Sequence;

    public byte SmsTypeMask => PendingRecord is { } record ? SmsTypeMasks.From(record.SmsTypes) : _applied.SmsTypeMask;

    public Source Source => PendingRecord?.Source ?? (Source)_applied.Source;

    /// <summary>The applied value (default when the entry is pending).</summary>
    public EntryValue Applied => _applied;
}
