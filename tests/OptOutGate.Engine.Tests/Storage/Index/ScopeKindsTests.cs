using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Engine.Storage.Index;

namespace OptOutGate.Engine.Tests.Storage.Index;

/// <summary>
/// EntryIndex.KindsIn: never fewer kinds than a scope holds (a skipped key could turn a block into a wrong ALLOWED), on a
/// new index at once, on a recovered one everything until its log is scanned and then every kind its log ever held.
/// </summary>
public sealed class ScopeKindsTests : IDisposable
{
    private static readonly EntryKind[] Kinds = [EntryKind.OptOut, EntryKind.Suppression, EntryKind.Bypass, EntryKind.AddressOptIn];

    private readonly IndexTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_new_index_answers_exactly_the_kinds_written_to_each_scope_and_keeps_them_after_deletes()
    {
        using var index = EntryIndex.Create(Options(), NullLogger.Instance);
        Assert.True(index.ScopeKindsKnown);
        Assert.Equal(0, index.KindsIn(1, 10));

        index.Upsert(EntryKey.Create(EntryKind.OptOut, 14155550100, 10, 1), EntryValue.Create(1, 1, 1));
        index.Upsert(EntryKey.Create(EntryKind.Bypass, 14155550101, 10, 1), EntryValue.Create(2, 1, 1));
        index.Upsert(EntryKey.Create(EntryKind.Suppression, 14155550102, 11, 1), EntryValue.Create(3, 1, 1));
        index.Upsert(EntryKey.Create(EntryKind.AddressOptIn, 14155550103, 10, 2), EntryValue.Create(4, 1, 1));
        index.Delete(EntryKey.Create(EntryKind.Bypass, 14155550101, 10, 1));

        Assert.Equal(Bits(EntryKind.OptOut, EntryKind.Bypass), index.KindsIn(1, 10));
        Assert.Equal(Bits(EntryKind.Suppression), index.KindsIn(1, 11));
        Assert.Equal(Bits(EntryKind.AddressOptIn), index.KindsIn(2, 10));
        Assert.Equal(0, index.KindsIn(2, 11));
    }

    [Fact]
    public async Task A_recovered_index_answers_every_kind_until_its_log_is_scanned_then_every_kind_its_log_held()
    {
        // Random entries over 40 scopes of 3 tenants, some deleted, some written after the checkpoint (not recovered).
        var random = new Random(19);
        var held = new Dictionary<(uint Tenant, uint Scope), byte>();
        Guid token;
        using (var index = EntryIndex.Create(Options(), NullLogger.Instance))
        {
            for (var i = 0; i < 20_000; i++)
            {
                var tenant = (uint)random.Next(1, 4);
                var scope = (uint)random.Next(1, 41);
                var kind = Kinds[random.Next(4) == 0 ? random.Next(Kinds.Length) : 0];
                var key = EntryKey.Create(kind, 14155550000UL + (ulong)random.Next(5000), scope, tenant);
                index.Upsert(key, EntryValue.Create((ulong)i + 1, 1, 1));
                held[(tenant, scope)] = (byte)(held.GetValueOrDefault((tenant, scope)) | ScopeKinds.Bit(kind));
                if (random.Next(10) == 0)
                {
                    index.Delete(key);
                }
            }

            token = index.TakeCheckpoint();
            index.Upsert(EntryKey.Create(EntryKind.Bypass, 14155550000, 99, 1), EntryValue.Create(1, 1, 1));
        }

        using var recovered = EntryIndex.Recover(Options(), token, NullLogger.Instance);
        if (!recovered.ScopeKindsKnown)
        {
            // Before the scan is done: everything, whatever the scope.
            Assert.Equal(ScopeKinds.All, recovered.KindsIn(1, 1));
            Assert.Equal(ScopeKinds.All, recovered.KindsIn(3, 12345));
        }

        // Written while the scan may still run: marked by the write itself.
        recovered.Upsert(EntryKey.Create(EntryKind.Suppression, 14155559999, 77, 2), EntryValue.Create(9, 1, 1));

        await recovered.ScopeKindsScan.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(recovered.ScopeKindsKnown);
        foreach (var ((tenant, scope), kinds) in held)
        {
            // Exactly what the log held: deleted entries' kinds included (a mark too many only costs reads).
            Assert.Equal(kinds, recovered.KindsIn(tenant, scope));
        }

        Assert.Equal(Bits(EntryKind.Suppression), recovered.KindsIn(2, 77));
        Assert.Equal(0, recovered.KindsIn(1, 99));
    }

    [Fact]
    public void Disposing_a_recovered_index_stops_its_scan()
    {
        Guid token;
        using (var index = EntryIndex.Create(Options(), NullLogger.Instance))
        {
            for (var i = 0; i < 50_000; i++)
            {
                index.Upsert(EntryKey.Create(EntryKind.OptOut, 14155550000UL + (ulong)i, 1, 1), EntryValue.Create((ulong)i + 1, 1, 1));
            }

            token = index.TakeCheckpoint();
        }

        var recovered = EntryIndex.Recover(Options(), token, NullLogger.Instance);
        recovered.Dispose();

        Assert.True(recovered.ScopeKindsScan.IsCompleted);
    }

    private static byte Bits(params EntryKind[] kinds) => (byte)kinds.Aggregate(0, static (bits, kind) => bits | ScopeKinds.Bit(kind));

    private EntryIndexOptions Options() =>
        new() { Directory = _directory.Path, ExpectedEntries = 10_000, PageSizeBits = 12, MemorySizeBits = 14, SegmentSizeBits = 20 };
}
