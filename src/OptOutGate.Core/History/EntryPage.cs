using OptOutGate.Contracts.V1;

namespace OptOutGate.Core.History;

/// <summary>One page of entries, ordered by sequence, and the sequence the next page continues after (0 = last page).</summary>
internal sealed record EntryPage(IReadOnlyList<Entry> Entries, ulong NextAfter);
