using OptOutGate.Core.Durability;

namespace OptOutGate.Core.Tests.Durability;

/// <summary>
/// Damage to the committed part of the log (what a disk that lies about fsync, or an operator, can leave): the log
/// must end at the last whole record, continue from there, and keep doing so across later restarts.
/// </summary>
public sealed class ChangeLogTornTailTests : IDisposable
{
    private const int Records = 40;
    private readonly ChangeLogFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task FileCutMidRecord_EndsAtTheRecordBefore_AndNewAppendsSurviveReopen()
    {
        var (lastStart, _) = await WriteRecordsAsync();
        TruncateTo(lastStart + 20);

        await AssertCutAtAsync(Records - 1);
    }

    [Fact]
    public async Task GarbageOverTheLastBytes_EndsAtTheRecordBefore_AndNewAppendsSurviveReopen()
    {
        var (_, lastEnd) = await WriteRecordsAsync();
        Overwrite(lastEnd - 16, [0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C]);

        await AssertCutAtAsync(Records - 1);
    }

    [Fact]
    public async Task GarbageOverALengthHeader_EndsAtTheRecordBefore()
    {
        var (lastStart, _) = await WriteRecordsAsync();
        // A length far past the page: FasterLog's iterator itself refuses it.
        Overwrite(lastStart, [0xFF, 0xFF, 0xFF, 0x3F]);

        await AssertCutAtAsync(Records - 1);
    }

    [Fact]
    public async Task FileCutAtARecordBoundary_EndsAtTheLastWholeRecord()
    {
        await WriteRecordsAsync();
        TruncateTo(await AddressOfAsync(31));

        await AssertCutAtAsync(30);
    }

    [Fact]
    public async Task DamageInTheMiddle_WithoutASavedMap_DropsEverythingFromTheDamagedRecord()
    {
        await WriteRecordsAsync();
        var address = await AddressOfAsync(10);
        Overwrite(address + 30, [0x55, 0x55, 0x55, 0x55]);
        File.Delete(_fixture.SequenceMapFile);

        await AssertCutAtAsync(9);
    }

    [Fact]
    public async Task DamageBeforeTheSavedMapsEnd_IsFoundWhenTheRecordIsRead()
    {
        // The saved map spares the opening scan the records it covers, except the last one: damage deep inside is
        // not a torn tail, and reading the record reports it instead of returning wrong data.
        await WriteRecordsAsync();
        var address = await AddressOfAsync(10);
        Overwrite(address + 30, [0x55, 0x55, 0x55, 0x55]);

        await using var log = await _fixture.OpenAsync();

        Assert.Equal((ulong)Records, log.LastSequence);
        await Assert.ThrowsAsync<InvalidDataException>(async () => await log.ReadAsync(10, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidDataException>(() => ChangeLogFixture.ReadAllAsync(log, 5, 15));
        Assert.Equal("11", (await log.ReadAsync(11, CancellationToken.None))?.Record.Reason);
    }

    [Fact]
    public async Task DamagedLastRecordOfTheSavedMap_IsCut()
    {
        var (lastStart, _) = await WriteRecordsAsync();
        Assert.True(File.Exists(_fixture.SequenceMapFile));
        Overwrite(lastStart + 40, [0x55, 0x55, 0x55, 0x55]);

        await AssertCutAtAsync(Records - 1);
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
    public async Task TornLog_IsKeptForInspection()
    {
        var (lastStart, _) = await WriteRecordsAsync();
        TruncateTo(lastStart + 20);

        await using var log = await _fixture.OpenAsync();

        var kept = Assert.Single(Directory.GetDirectories(_fixture.Root, "torn-*"));
        Assert.True(File.Exists(Path.Combine(kept, "changes.log.0")));
        Assert.False(Directory.Exists(Path.Combine(_fixture.Root, "rebuild")));
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

    /// <summary>
    /// Reopens: the log must end at <paramref name="lastWhole"/>; appends continue from there, and a further reopen
    /// (and one more append) sees exactly the kept records and the new ones, never the damaged bytes.
    /// </summary>
    private async Task AssertCutAtAsync(int lastWhole)
    {
        await using (var log = await _fixture.OpenAsync())
        {
            Assert.Equal((ulong)lastWhole, log.LastSequence);
            Assert.Equal(Expected(lastWhole), Reasons(await ChangeLogFixture.ReadAllAsync(log)));
            for (var i = 1; i <= 3; i++)
            {
                var sequence = await log.AppendAsync([ChangeLogFixture.Entry("+14155550100", $"new-{i}")], null, CancellationToken.None);
                Assert.Equal((ulong)(lastWhole + i), sequence);
            }
        }

        var expected = Expected(lastWhole).Concat(["new-1", "new-2", "new-3"]).ToList();
        await using (var log = await _fixture.OpenAsync())
        {
            Assert.Equal((ulong)(lastWhole + 3), log.LastSequence);
            Assert.Equal(expected, Reasons(await ChangeLogFixture.ReadAllAsync(log)));
            Assert.Equal((ulong)(lastWhole + 4), await log.AppendAsync([ChangeLogFixture.Entry("+14155550100", "new-4")], null, CancellationToken.None));
        }

        await using (var log = await _fixture.OpenAsync())
        {
            Assert.Equal(expected.Concat(["new-4"]), Reasons(await ChangeLogFixture.ReadAllAsync(log)));
            Assert.Single(Directory.GetDirectories(_fixture.Root, "torn-*"));
        }
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
