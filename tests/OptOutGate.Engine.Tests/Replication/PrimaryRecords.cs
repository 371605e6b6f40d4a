using OptOutGate.Contracts.V1;

namespace OptOutGate.Engine.Tests.Replication;

/// <summary>What a replica would receive from a primary engine: its committed records from a sequence on.</summary>
internal static class PrimaryRecords
{
    public static async Task<List<ChangeRecord>> FromAsync(GateEngine primary, ulong from)
    {
        var records = new List<ChangeRecord>();
        await foreach (var entry in primary.Log.ReadAsync(from, ulong.MaxValue, CancellationToken.None))
        {
            records.Add(entry.Record);
        }

        return records;
    }
}
