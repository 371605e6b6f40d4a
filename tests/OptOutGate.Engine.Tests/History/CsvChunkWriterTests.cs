using System.Text;
using OptOutGate.Engine.History;

namespace OptOutGate.Engine.Tests.History;

public sealed class CsvChunkWriterTests
{
    [Fact]
    public async Task Quoting_FollowsRfc4180()
    {
        var chunks = new List<byte[]>();
        var csv = new CsvChunkWriter((data, _) => { chunks.Add(data.ToArray()); return Task.CompletedTask; });

        csv.Field("plain");
        csv.Field("a,b");
        csv.Field("say \"hi\"");
        csv.Field("line\nbreak");
        csv.Field("+14155550100");
        csv.EndRow();
        await csv.CompleteAsync(default);

        Assert.Equal("plain,\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\",+14155550100\r\n", Encoding.UTF8.GetString(chunks.Single()));
    }

    [Fact]
    public async Task ManyRows_ComeOutInFullChunksAsProduced_AndConcatenateToTheDocument()
    {
        var chunks = new List<byte[]>();
        var csv = new CsvChunkWriter((data, _) => { chunks.Add(data.ToArray()); return Task.CompletedTask; });
        var expected = new StringBuilder();
        var chunksBeforeEnd = 0;
        for (var i = 0; i < 20_000; i++)
        {
            csv.Field((ulong)i);
            csv.Field("row with é and 退订");
            csv.EndRow();
            expected.Append(i).Append(",row with é and 退订\r\n");
            await csv.FlushFullChunksAsync(default);
            chunksBeforeEnd = chunks.Count;
        }

        await csv.CompleteAsync(default);

        Assert.True(chunksBeforeEnd >= 5, $"only {chunksBeforeEnd} chunks before the end");
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(CsvChunkWriter.ChunkSize, c.Length));
        Assert.True(chunks[^1].Length <= CsvChunkWriter.ChunkSize);
        Assert.Equal(expected.ToString(), Encoding.UTF8.GetString(chunks.SelectMany(c => c).ToArray()));
    }
}
