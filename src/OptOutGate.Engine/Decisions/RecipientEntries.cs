using System.Runtime.CompilerServices;
using OptOutGate.Engine.Storage.Index;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Decisions;

/// <summary>
/// The entries found for one recipient: up to one per (kind, scope), twelve slots, on the stack. Filled by the check
/// path from index reads, consumed by <see cref="DecisionRules"/>.
/// </summary>
internal struct RecipientEntries
{
    private SlotValues _values;
    private ushort _found;

    public readonly bool IsEmpty => _found == 0;

    /// <summary>
    /// True when the recipient opted in again at this sender after the tenant-wide opt-out (an address opt-in newer
    /// than it): the tenant-wide opt-out does not block here. Set by whoever fills the entries (sequence order on the
    /// live index, event order when replaying history).
    /// </summary>
    public bool TenantOptOutLifted { readonly get; set; }

    public void Set(EntryKind kind, EntryScope scope, EntryValue value)
    {
        var slot = Slot(kind, scope);
        _values[slot] = value;
        _found |= (ushort)(1 << slot);
    }

    public readonly bool TryGet(EntryKind kind, EntryScope scope, out EntryValue value)
    {
        var slot = Slot(kind, scope);
        value = _values[slot];
        return (_found & (1 << slot)) != 0;
    }

    private static int Slot(EntryKind kind, EntryScope scope) => (((int)kind - 1) * 3) + (int)scope;

    [InlineArray(12)]
    private struct SlotValues
    {
        private EntryValue _element0;
    }
}
