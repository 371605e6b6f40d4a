using System.Globalization;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.Checkpoints;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Writes;
using IndexKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.Storage.Checkpoints;

/// <summary>
/// Checkpoints carry checksums of every file they are made of and of the index log range they cover: a checkpoint
/// whose files are cut short or changed is not loaded, and the state is rebuilt from the change log instead (never
/// answered from a partial index); a whole one loads, however many checkpoints and updates came before it.
/// </summary>
public sealed class CheckpointVerificationTests
{
    private const string Tenant = "tenant-a";
    private const string Sender = "+18005550100";

    [Fact]
    public async Task CheckpointsWithUpdatesDeletesAndEvictionBetween_EachVerifies_AndReopenLoadsTheNewest()
    {
        using var dir = new EngineTestDirectory();
        List<string> before;
        ulong last = 0;
        await using (var engine = await dir.OpenAsync())
        {
            for (var round = 0; round < 6; round++)
            {
                // New entries, updates of old ones (copies of read-only records in FASTER's log), deletes: the log
                // grows past its in-memory part (4 MiB, 64 KiB pages), so pages are evicted and flushed between
                // checkpoints too.
                await engine.OptOutAsync(Tenant, Sender, Numbers(round * 3_000, 3_000));
                await engine.WriteAsync(Tenant, Sender, IndexKind.Suppression, EntryWriteOperation.Add, Numbers(0, 500 + (round * 100)), mask: (byte)(2 + round));
                await engine.RemoveAsync(Tenant, Sender, Numbers((round * 3_000) + 10, 200));
                last = await engine.CheckpointAsync(CancellationToken.None);
                foreach (var manifest in new CheckpointStore(Path.Combine(dir.Path, "checkpoints")).ListComplete())
                {
                    CheckpointChecksums.Verify(manifest, dir.Path, IndexOptions(dir));
                }
            }

            before = engine.DescribeEntries();
            await engine.OptOutAsync(Tenant, Sender, Numbers(90_000, 10));
            before = engine.DescribeEntries();
        }

        await using var reopened = await dir.OpenAsync();

        Assert.Equal(last, reopened.LastCheckpointSequence);
        Assert.Equal(before, reopened.DescribeEntries());
    }

    [Fact]
    public async Task CheckpointsAfterRecoveriesAndMoreWrites_Verify_AndSoDoTheOnesRecoveredFrom()
    {
        // FASTER rewrites the last sector of a flush at the next one, and after a recovery the record headers there
        // differ in memory (bits it ignores on disk); the checksums must hold across that, recovery after recovery.
        using var dir = new EngineTestDirectory();
        ulong last = 0;
        for (var round = 0; round < 4; round++)
        {
            await using var engine = await dir.OpenAsync();
            Assert.Equal(last, engine.LastCheckpointSequence);
            await engine.OptOutAsync(Tenant, Sender, Numbers(round * 5_000, 4_000));
            await engine.RemoveAsync(Tenant, Sender, Numbers((round * 5_000) + 10, 100));
            last = await engine.CheckpointAsync(CancellationToken.None);

            // Records after the checkpoint (of its next version), then a crash.
            await engine.OptOutAsync(Tenant, Sender, Numbers((round * 5_000) + 4_000, 1_000));
            foreach (var manifest in new CheckpointStore(Path.Combine(dir.Path, "checkpoints")).ListComplete())
            {
                CheckpointChecksums.Verify(manifest, dir.Path, IndexOptions(dir));
            }
        }

        await using var reopened = await dir.OpenAsync();
        Assert.Equal(last, reopened.LastCheckpointSequence);
    }

    public enum Damage
    {
        IndexLogCutShort,
        IndexLogByteFlipped,
        IndexRecordTombstoneBitFlipped,
        HashIndexByteFlipped,
        ScopeTableByteFlipped,
        HeadsCutShort,
    }

    [Theory]
    [InlineData(Damage.IndexLogCutShort)]
    [InlineData(Damage.IndexLogByteFlipped)]
    [InlineData(Damage.IndexRecordTombstoneBitFlipped)]
    [InlineData(Damage.HashIndexByteFlipped)]
    [InlineData(Damage.ScopeTableByteFlipped)]
    [InlineData(Damage.HeadsCutShort)]
    public async Task DamagedCheckpointFile_IsNotLoaded_AndTheStateIsRebuiltFromTheLog(Damage damage)
    {
        using var dir = new EngineTestDirectory();
        List<string> before;
        ulong checkpoint;
        await using (var engine = await dir.OpenAsync())
        {
            await engine.OptOutAsync(Tenant, Sender, Numbers(0, 3_000));
            await engine.OptOutAsync(Tenant, "ACME", Numbers(0, 100));
            checkpoint = await engine.CheckpointAsync(CancellationToken.None);
            before = engine.DescribeEntries();
        }

        var manifest = Assert.Single(new CheckpointStore(Path.Combine(dir.Path, "checkpoints")).ListComplete());
        var path = damage switch
        {
            Damage.IndexLogCutShort or Damage.IndexLogByteFlipped or Damage.IndexRecordTombstoneBitFlipped => EntryIndex.LocateLog(IndexOptions(dir), manifest.IndexLog!.Begin).File,
            Damage.HashIndexByteFlipped => EntryIndex.CheckpointFiles(IndexOptions(dir), manifest.IndexToken).Single(f => f.Contains("ht.dat", StringComparison.Ordinal)),
            Damage.ScopeTableByteFlipped => Path.Combine(manifest.Directory, CheckpointStore.ScopesFile),
            _ => Path.Combine(manifest.Directory, CheckpointStore.HeadsFile),
        };
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            if (damage is Damage.IndexLogCutShort or Damage.HeadsCutShort)
            {
                file.SetLength(file.Length / 2);
            }
            else
            {
                // A byte inside the written part: the index log's records start at its begin address, the hash
                // index's buckets at the start of ht.dat, the scope table's names after its header.
                // The tombstone bit is bit 55 of a record header: the first record's header starts at the log's begin.
                var (at, bit) = damage switch
                {
                    Damage.IndexLogByteFlipped => (manifest.IndexLog!.Begin + 40, 0x10),
                    Damage.IndexRecordTombstoneBitFlipped => (manifest.IndexLog!.Begin + (EntryIndex.RecordBytes * 5) + 6, 0x80),
                    _ => (Math.Min(file.Length - 1, 24), 0x10),
                };
                file.Position = at;
                var b = file.ReadByte();
                file.Position = at;
                file.WriteByte((byte)(b ^ bit));
            }
        }

        var damaged = Assert.Throws<OptOutGate.Engine.Storage.DataDamagedException>(() => CheckpointChecksums.Verify(manifest, dir.Path, IndexOptions(dir)));
        Assert.Equal(path, damaged.Path);
        Assert.Contains($"The checkpoint at sequence {checkpoint}", damaged.Message, StringComparison.Ordinal);

        await using var reopened = await dir.OpenAsync();

        Assert.Equal(0UL, reopened.LastCheckpointSequence);
        Assert.Equal(checkpoint, reopened.Applier.AppliedSequence);
        Assert.Equal(before, reopened.DescribeEntries());
    }

    private static EntryIndexOptions IndexOptions(EngineTestDirectory dir) => dir.Options().IndexOptions(Path.Combine(dir.Path, DataLayout.Index));

    private static string[] Numbers(int start, int count) =>
        Enumerable.Range(start, count).Select(i => "+1415" + (5_000_000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
}
