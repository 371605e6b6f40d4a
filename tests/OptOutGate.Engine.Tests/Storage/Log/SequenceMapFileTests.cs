using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Tests.Storage.Log;

public sealed class SequenceMapFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "optoutgate-seqmap-" + Guid.NewGuid().ToString("N"));

    public SequenceMapFileTests() => Directory.CreateDirectory(_folder);

    private string FilePath => Path.Combine(_folder, SequenceMapFile.FileName);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task SaveThenSaveMore_AppendsOnlyTheNewAddresses_AndLoadsThemAll()
    {
        var map = Map(first: 7, count: 150_000);
        await SequenceMapFile.SaveAsync(_folder, map, 100_000, savedPrefix: 0, CancellationToken.None);
        Assert.Equal(32 + (100_000 * 8), new FileInfo(FilePath).Length);

        await SequenceMapFile.SaveAsync(_folder, map, 150_000, savedPrefix: 100_000, CancellationToken.None);

        Assert.Equal(32 + (150_000 * 8), new FileInfo(FilePath).Length);
        Assert.False(File.Exists(FilePath + ".tmp"), "an append does not go through a temporary file");
        AssertSame(map, 150_000, await SequenceMapFile.TryLoadAsync(_folder, CancellationToken.None));
    }

    [Fact]
    public async Task AddressesPastTheHeadersCount_AreIgnored()
    {
        // A crash after an append wrote addresses but before it wrote the header that counts them.
        var map = Map(first: 1, count: 1_000);
        await SequenceMapFile.SaveAsync(_folder, map, 600, savedPrefix: 0, CancellationToken.None);
        await using (var file = new FileStream(FilePath, FileMode.Append))
        {
            file.Write(new byte[400 * 8]);
        }

        AssertSame(map, 600, await SequenceMapFile.TryLoadAsync(_folder, CancellationToken.None));

        await SequenceMapFile.SaveAsync(_folder, map, 1_000, savedPrefix: 600, CancellationToken.None);
        AssertSame(map, 1_000, await SequenceMapFile.TryLoadAsync(_folder, CancellationToken.None));
    }

    [Fact]
    public async Task PrefixTheCallerDoesNotVouchFor_IsRewrittenWhole()
    {
        // The file holds another log's addresses (the caller loaded none of it): appending after them would keep them.
        await SequenceMapFile.SaveAsync(_folder, Map(first: 1, count: 500, offset: 99), 500, savedPrefix: 0, CancellationToken.None);
        var map = Map(first: 1, count: 800);

        await SequenceMapFile.SaveAsync(_folder, map, 800, savedPrefix: 0, CancellationToken.None);

        AssertSame(map, 800, await SequenceMapFile.TryLoadAsync(_folder, CancellationToken.None));
    }

    [Fact]
    public async Task TornHeader_IsIgnored()
    {
        var map = Map(first: 1, count: 100);
        await SequenceMapFile.SaveAsync(_folder, map, 100, savedPrefix: 0, CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(FilePath);
        bytes[17] ^= 0x01;
        await File.WriteAllBytesAsync(FilePath, bytes);

        Assert.Null(await SequenceMapFile.TryLoadAsync(_folder, CancellationToken.None));
    }

    private static SequenceAddressMap Map(ulong first, int count, long offset = 0)
    {
        var map = new SequenceAddressMap(first);
        for (var i = 0; i < count; i++)
        {
            map.Add(64 + offset + (i * 137L));
        }

        return map;
    }

    private static void AssertSame(SequenceAddressMap expected, long count, SequenceAddressMap? loaded)
    {
        Assert.NotNull(loaded);
        Assert.Equal(expected.FirstSequence, loaded.FirstSequence);
        Assert.Equal(count, loaded.Count);
        for (var s = expected.FirstSequence; s < expected.FirstSequence + (ulong)count; s++)
        {
            Assert.True(expected.TryGet(s, out var a));
            Assert.True(loaded.TryGet(s, out var b));
            Assert.Equal(a, b);
        }
    }
}
