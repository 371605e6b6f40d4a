using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Tests.Infrastructure;

namespace OptOutGate.Engine.Tests.Storage.State;

public sealed class HistoryHeadsTests : IDisposable
{
    private readonly EngineTestDirectory _dir = new();

    [Fact]
    public void SaveThenLoad_GivesBackEveryHead()
    {
        var heads = new HistoryHeads();
        for (ulong i = 0; i < 10_000; i++)
        {
            heads.AdvanceRecipient((uint)(i % 3), 14_155_550_000 + i, i + 1);
            heads.AdvanceRecipient((uint)(i % 3), 14_155_550_000 + i, i + 100_000);
            heads.AdvanceSender((uint)(i % 3), "S" + (i % 7), i + 1);
        }

        var path = Path.Combine(_dir.Path, "heads.bin");
        heads.Save(path);
        var loaded = HistoryHeads.Load(path);

        Assert.Equal(10_000, loaded.RecipientCount);
        for (ulong i = 0; i < 10_000; i++)
        {
            Assert.Equal(i + 100_000, loaded.GetRecipientHead((uint)(i % 3), 14_155_550_000 + i));
        }

        Assert.Equal(0UL, loaded.GetRecipientHead(5, 14_155_550_000));
        Assert.Equal(heads.GetSenderHead(1, "S1"), loaded.GetSenderHead(1, "S1"));
        Assert.NotEqual(0UL, loaded.GetSenderHead(1, "S1"));
    }

    [Fact]
    public void Load_OfATruncatedFile_Throws()
    {
        var heads = new HistoryHeads();
        for (ulong i = 0; i < 1_000; i++)
        {
            heads.AdvanceRecipient(1, 14_155_550_000 + i, i + 1);
        }

        var path = Path.Combine(_dir.Path, "heads.bin");
        heads.Save(path);
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }

        Assert.Throws<InvalidDataException>(() => HistoryHeads.Load(path));
    }

    public void Dispose() => _dir.Dispose();
}
