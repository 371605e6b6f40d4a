using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Tests.Infrastructure;
using PhoneNumbers;

namespace OptOutGate.Engine.Tests.Recipients;

/// <summary>
/// The stored numbering-plan table (NumberingPlanTable.Stored.cs) is the one the metadata builds, is what the engine
/// walks, and is never trusted when it is for another libphonenumber build or damaged.
/// </summary>
public sealed class NumberingPlanStoredTableTests
{
    // Set to 1 to write the stored table again from the libphonenumber at hand (after changing the package or the way
    // the table is built); the test then passes and the new file is to be committed.
    private const string WriteVariable = "OPTOUTGATE_WRITE_NUMBERING_PLAN";

    private static readonly Lazy<NumberingPlanTable> Built = new(() => NumberingPlanTable.Build(PhoneNumberUtil.GetInstance()));

    [Fact]
    public void TheStoredTable_IsTheOneTheMetadataBuilds_AndTheEngineWalksIt()
    {
        var path = Path.Combine(RepositoryPaths.EngineSource(), "Recipients", "numbering-plan.bin");
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            using var file = File.Create(path);
            Built.Value.WriteTo(file, NumberingPlanTable.MetadataBuild);
        }

        using (var stored = File.OpenRead(path))
        {
            var table = NumberingPlanTable.TryRead(stored, NumberingPlanTable.MetadataBuild);
            Assert.True(
                table is not null && table.SameAs(Built.Value),
                $"{path} is not the table libphonenumber {typeof(PhoneNumberUtil).Assembly.GetName().Version} builds: "
                + $"run `{WriteVariable}=1 dotnet test tests/OptOutGate.Engine.Tests --filter {nameof(NumberingPlanStoredTableTests)}`, "
                + "then build again and commit the file");
        }

        Assert.True(NumberingPlan.TableWasStored, "the engine built the table instead of reading the stored one");
        Assert.True(NumberingPlan.Table.SameAs(Built.Value));
    }

    [Fact]
    public void WrittenThenRead_IsTheSameTable()
    {
        var bytes = Write(Guid.Empty);

        var read = NumberingPlanTable.TryRead(new MemoryStream(bytes), Guid.Empty);

        Assert.NotNull(read);
        Assert.True(read.SameAs(Built.Value));
        Assert.Equal(Built.Value.StateCount, read.StateCount);
    }

    [Fact]
    public void ATableOfAnotherLibphonenumberBuild_IsNotRead()
    {
        var bytes = Write(Guid.NewGuid());

        Assert.Null(NumberingPlanTable.TryRead(new MemoryStream(bytes), NumberingPlanTable.MetadataBuild));
    }

    [Fact]
    public void ADamagedTable_IsNeverRead()
    {
        var payload = Decompressed(Write(Guid.Empty));
        var random = new Random(7);
        var header = 4 + 4 + 16 + 4;
        for (var i = 0; i < 200; i++)
        {
            // One flipped byte anywhere after the header (the table or its hash), or the end cut off.
            var damaged = (byte[])payload.Clone();
            if (i % 10 == 9)
            {
                damaged = damaged[..random.Next(header, damaged.Length)];
            }
            else
            {
                damaged[random.Next(header, damaged.Length)] ^= (byte)(1 << random.Next(8));
            }

            Assert.Null(NumberingPlanTable.TryRead(new MemoryStream(Compressed(damaged)), Guid.Empty));
        }

        Assert.Null(NumberingPlanTable.TryRead(new MemoryStream([1, 2, 3, 4, 5]), Guid.Empty));
        for (var length = 0; length < 4 + 4 + 16; length++)
        {
            // Cut inside the header: the magic, the format or the libphonenumber build.
            Assert.Null(NumberingPlanTable.TryRead(new MemoryStream(Compressed(payload[..length])), Guid.Empty));
        }

        Assert.Null(NumberingPlanTable.TryRead(new MemoryStream(), Guid.Empty));
    }

    private static byte[] Write(Guid metadataBuild)
    {
        using var stream = new MemoryStream();
        Built.Value.WriteTo(stream, metadataBuild);
        return stream.ToArray();
    }

    private static byte[] Decompressed(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var brotli = new System.IO.Compression.BrotliStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress))
        {
            brotli.CopyTo(output);
        }

        return output.ToArray();
    }

    private static byte[] Compressed(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var brotli = new System.IO.Compression.BrotliStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            brotli.Write(bytes);
        }

        return output.ToArray();
    }
}
