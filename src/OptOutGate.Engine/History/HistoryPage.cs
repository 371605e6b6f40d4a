using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.History;

/// <summary>
/// One page of history: the records, and where the next page starts (0 = this was the last page). A page may hold
/// fewer records than asked, even none, and still have a next position: each call reads a bounded number of log
/// records (AIP-158 allows short pages).
/// </summary>
internal sealed record HistoryPage(IReadOnlyList<ChangeRecord> Records, ulong Next);
