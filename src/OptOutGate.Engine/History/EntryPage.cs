using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.History;

/// <summary>
/// One page of entries, ordered by sequence; the sequence the next page continues after (0 = last page); and how many
/// history records (or, for one recipient, index entries) the page read to find them: the page's cost.
/// </summary>
internal sealed record EntryPage(IReadOnlyList<Entry> Entries, ulong NextAfter, long Visited);
