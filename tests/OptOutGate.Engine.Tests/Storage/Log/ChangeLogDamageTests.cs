using OptOutGate.Engine.Storage;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Tests.Storage.Log;

/// <summary>
/// Damage to the committed part of the log (what a disk that lies about fsync, a restore or an operator can leave; a
/// crash cannot, since FasterLog commits only what is on disk): opening refuses with the place and the remedy, reads
/// of damaged records fail and report it, and only an explicit CutAtSequence cuts the log, keeping every sequence
/// number the cut part may have held out of use.
/// </summary>
public sealed class ChangeLogDamageTests : IDisposable
{
    private const int Records = 40;
    private readonly ChangeLogFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task FileCutMidRecord_RefusesNamingTheRecord_AndACutGoesOnAfterIt()
    {
        var (lastStart, _) = await WriteRecordsAsync();
        TruncateTo(lastStart + 20);

        await AssertRefusedAsync(Records);
        await AssertCutAsync(Records, lastLost: Records);
    }

    [Fact]
    public async Task GarbageOverTheLastBytes_Refuses_AndACutGoesOnAfterIt()
    {
        var (_, lastEnd) = await WriteRecordsAsync();
        Overwrite(lastEnd - 16, [0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C]);

        await AssertRefusedAsync(Records);
        await AssertCutAsync(Records, lastLost: Records);
    }

    [Fact]
    public async Task GarbageOverALengthHeader_Refuses_AndACutLeavesEveryNumberThePartCouldHoldUnused()
    {
        var (lastStart, _) = await WriteRecordsAsync();
        // A length far past the page: FasterLog's iterator itself refuses it, so the cut part cannot be counted.
        Overwrite(lastStart, [0xFF, 0xFF, 0xFF, 0x3F]);

        await AssertRefusedAsync(Records);
        await AssertCutAsync(Records, lastLost: null);
    }

    [Fact]
    public async Task FileCutAtARecordBoundary_Refuses()
    {
        await WriteRecordsAsync();
        TruncateTo(await AddressOfAsync(31));

        await AssertRefusedAsync(31);
        await AssertCutAsync(31, lastLost: null);
    }

    [Fact]
    public async Task DamageInTheMiddle_WithoutASavedMap_Refuses_AndACutCountsTheRecordsAfterIt()
    {
        await WriteRecordsAsync();
        var address = await AddressOfAsync(10);
        Overwrite(address + 30, [0x55, 0x55, 0x55, 0x55]);
        File.Delete(_fixture.SequenceMapFile);

        await AssertRefusedAsync(10);

        // The framing is whole: the 31 records from 10 on are counted exactly.
        await AssertCutAsync(10, lastLost: Records);
    }

    [Fact]
    public async Task DamageBeforeTheSavedMapsEnd_IsFoundWhenReadOrVerified_ReportedOnce_AndCutOnlyWhenAsked()
    {
        // The saved map spares the opening scan the records it covers: reading or verifying the record finds the
        // damage, reports it once (metric, log, DamageFound) and fails the read.
        await WriteRecordsAsync();
        var address = await AddressOfAsync(10);
        Overwrite(address + 30, [0x55, 0x55, 0x55, 0x55]);

        await using (var log = await _fixture.OpenAsync())
        {
            var reported = new List<DataDamagedException>();
            log.DamageFound += reported.Add;
            Assert.Equal((ulong)Records, log.LastSequence);
            var read = await Assert.ThrowsAsync<DataDamagedException>(async () => await log.ReadAsync(10, CancellationToken.None));
            Assert.Equal(10UL, read.Sequence);
            Assert.Equal(_fixture.SegmentFile, read.Path);
            Assert.Contains($"Change log record 10 is damaged in {_fixture.SegmentFile} at byte {address} (log address {address}): bad checksum", read.Message, StringComparison.Ordinal);
            Assert.Contains("Engine:CutLogAtSequence=10", read.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<DataDamagedException>(() => ChangeLogFixture.ReadAllAsync(log, 5, 15));
            Assert.Equal("11", (await log.ReadAsync(11, CancellationToken.None))?.Record.Reason);
            Assert.Equal((Records - 1L, 1L), (log.Verify(1, Records, CancellationToken.None).Checked - 1, log.Verify(1, Records, CancellationToken.None).Damaged));
            Assert.Equal(10UL, Assert.Single(reported).Sequence);
        }

        _fixture.Options.CutAtSequence = 12;
        await using (var untouched = await _fixture.OpenAsync())
        {
            // Record 12 is whole: nothing is cut.
            Assert.Equal((ulong)Records, untouched.LastSequence);
        }

        await AssertCutAsync(10, lastLost: Records);
    }

    [Fact]
    public async Task DamagedLastRecordOfTheSavedMap_Refuses()
    {
        var (lastStart, _) = await WriteRecordsAsync();
        Assert.True(File.Exists(_fixture.SequenceMapFile));
        Overwrite(lastStart + 40, [0x55, 0x55, 0x55, 0x55]);

        await AssertRefusedAsync(Records);
    }

    [Fact]
    public async Task CommitMetadataDeleted_WithRecordsOnDisk_Refuses()
    {
        await WriteRecordsAsync();
        Directory.Delete(Path.Combine(_fixture.Root, "active", "log-commits"), recursive: true);

        var refused = await Assert.ThrowsAsync<DataDamagedException>(() => _fixture.OpenAsync());

        Assert.Contains("commit metadata", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(_fixture.Root, "active", "log-commits"), refused.Path);
    }

    [Fact]
    public async Task NewLog_HasCommitMetadataBeforeItsFirstRecord()
    {
        await using (var log = await _fixture.OpenAsync())
        {
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(_fixture.Root, "active", "log-commits")));
        }

        // An empty log reopens as an empty log.
        await using var reopened = await _fixture.OpenAsync();
        Assert.Equal(0UL, reopened.LastSequence);
    }

    [Fact]
    public async Task CorruptSavedMap_IsIgnored()
    {
        await WriteRecordsAsync();
        var bytes = await File.ReadAllBytesAsync(_fixture.SequenceMapFile);
        bytes[^3] ^= 0x40;
        await File.WriteAllBytesAsync(_fixture.SequenceMapFile, bytes);

        await using var log = await _fixture.OpenAsync();

        Assert.Equal((ulong)Records, log.LastSequence);
        Assert.Equal(Expected(Records), Reasons(await ChangeLogFixture.ReadAllAsync(log)));
    }

    [Fact]
    public async Task UnfinishedRewrite_IsDiscarded_AndTheLogIsIntact()
    {
        await WriteRecordsAsync();
        var rebuild = Directory.CreateDirectory(Path.Combine(_fixture.Root, "rebuild"));
        await File.WriteAllBytesAsync(Path.Combine(rebuild.FullName, "changes.log.0"), new byte[4096]);

        await using var log = await _fixture.OpenAsync();

        Assert.Equal((ulong)Records, log.LastSequence);
        Assert.False(Directory.Exists(rebuild.FullName));
    }

    /// <summary>Writes <see cref="Records"/> records, one append each; returns the last record's start and end.</summary>
    private async Task<(long Start, long End)> WriteRecordsAsync()
    {
        await using var log = await _fixture.OpenAsync();
        for (var i = 1; i <= Records; i++)
        {
            await log.AppendAsync([ChangeLogFixture.Entry("+14155550100", i.ToString())], null, CancellationToken.None);
        }

        Assert.True(log.TryGetAddress(Records, out var start));
        Assert.True(log.TryGetAddress(1, out var first));
        // One page: the log starts at the first valid address and its size runs to the tail.
        return (start, first + log.SizeBytes);
    }

    /// <summary>Opening refuses, naming <paramref name="firstDamaged"/>, and writes nothing.</summary>
    private async Task AssertRefusedAsync(ulong firstDamaged)
    {
        var before = await File.ReadAllBytesAsync(_fixture.SegmentFile);
        _fixture.Options.CutAtSequence = 0;

        var refused = await Assert.ThrowsAsync<DataDamagedException>(() => _fixture.OpenAsync());

        Assert.Equal(firstDamaged, refused.Sequence);
        Assert.Equal(_fixture.SegmentFile, refused.Path);
        Assert.Contains($"the records from sequence {firstDamaged} on cannot be read", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"Engine:CutLogAtSequence={firstDamaged}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_fixture.SegmentFile));

        // Cutting elsewhere is not cutting at the damage: still refused.
        _fixture.Options.CutAtSequence = firstDamaged - 1;
        await Assert.ThrowsAsync<DataDamagedException>(() => _fixture.OpenAsync());
        _fixture.Options.CutAtSequence = 0;
    }

    /// <summary>
    /// Opens with CutAtSequence = <paramref name="firstLost"/>: the records before it stay, the lost numbers up to
    /// <paramref name="lastLost"/> (or, when the cut part cannot be counted, at least up to <see cref="Records"/>) are
    /// placeholders, appends continue after them, and reopening (the setting still there) sees the same log.
    /// </summary>
    private async Task AssertCutAsync(ulong firstLost, ulong? lastLost)
    {
        _fixture.Options.CutAtSequence = firstLost;
        ulong last;
        await using (var log = await _fixture.OpenAsync())
        {
            last = log.LastSequence;
            if (lastLost is { } exact)
            {
                Assert.Equal(exact, last);
            }
            else
            {
                Assert.True(last >= Records, $"the cut part could hold sequences up to {Records}, but the log goes on from {last + 1}");
            }

            var entries = await ChangeLogFixture.ReadAllAsync(log);
            Assert.Equal(Expected((int)firstLost - 1), Reasons(entries.Take((int)firstLost - 1).ToList()));
            Assert.All(entries.Skip((int)firstLost - 1), e => Assert.True(ChangeLogCut.IsPlaceholder(e.Record)));
            Assert.Equal(last + 1, await log.AppendAsync([ChangeLogFixture.Entry("+14155550100", "new")], null, CancellationToken.None));
            Assert.Equal(firstLost, log.Cut?.FirstLost);
            Assert.Equal(last, log.Cut?.LastLost);
        }

        var kept = Assert.Single(Directory.GetDirectories(_fixture.Root, "cut-*"));
        Assert.True(File.Exists(Path.Combine(kept, "changes.log.0")));
        Assert.False(Directory.Exists(Path.Combine(_fixture.Root, "rebuild")));
        await using (var reopened = await _fixture.OpenAsync())
        {
            Assert.Equal(last + 1, reopened.LastSequence);
            Assert.Equal("new", (await reopened.ReadAsync(last + 1, CancellationToken.None))?.Record.Reason);
            Assert.Single(Directory.GetDirectories(_fixture.Root, "cut-*"));
        }

        _fixture.Options.CutAtSequence = 0;
    }

    private async Task<long> AddressOfAsync(ulong sequence)
    {
        await using var log = await _fixture.OpenAsync();
        Assert.True(log.TryGetAddress(sequence, out var address));
        return address;
    }

    private static IEnumerable<string> Expected(int count) => Enumerable.Range(1, count).Select(i => i.ToString());

    private static List<string> Reasons(List<LogEntry> entries) => entries.Select(e => e.Record.Reason).ToList();

    private void TruncateTo(long length)
    {
        using var file = new FileStream(_fixture.SegmentFile, FileMode.Open, FileAccess.Write);
        Assert.True(file.Length > length);
        file.SetLength(length);
    }

    private void Overwrite(long offset, byte[] bytes)
    {
        using var file = new FileStream(_fixture.SegmentFile, FileMode.Open, FileAccess.Write);
        file.Position = offset;
        file.Write(bytes);
    }
}
