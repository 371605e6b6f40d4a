using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Snapshots;
using OptOutGate.Engine.Storage;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Tests.Snapshots;

/// <summary>
/// The snapshot base store of a replica bootstrapped from a snapshot: written once, reopened, read by
/// sequence through its sparse table (several fences' worth of records), and refused when cut short or changed.
/// </summary>
public sealed class SnapshotBaseTests : IDisposable
{
    private static readonly DateTime s_asOf = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "optoutgate-base-" + Guid.NewGuid().ToString("N"));

    private string BasePath => Path.Combine(_folder, SnapshotBase.FileName);

    [Fact]
    public async Task WriteThenReopen_ReadsEveryRecordBySequence_AndTheConfigurationAndWindows()
    {
        // 1,000 records on odd sequences up to 1,999: eight table blocks of 128, the last one partial.
        var records = Enumerable.Range(0, 1_000).Select(i => Record((ulong)(2 * i) + 1)).ToList();
        Write(2_000, s_asOf, records, config: [Config("12345"), Config("67890")], windows: [Window("+14155550100")]);

        using var snapshotBase = SnapshotBase.Open(BasePath);

        Assert.Equal(2_000UL, snapshotBase.Sequence);
        Assert.Equal(s_asOf, snapshotBase.AsOf);
        Assert.Equal(1_000, snapshotBase.RecordCount);
        Assert.Equal(["12345", "67890"], snapshotBase.ReadConfig().Select(i => i.InboundAddress.Sender));
        Assert.Equal("+14155550100", Assert.Single(snapshotBase.ReadWindows()).ConfirmationWindow.Recipient);
        Assert.Equal(records, snapshotBase.ReadRecords());
        foreach (var expected in records)
        {
            Assert.Equal(expected, await snapshotBase.ReadAsync(expected.Record.Sequence, CancellationToken.None));
        }
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(2UL)]
    [InlineData(256UL)]
    [InlineData(1_998UL)]
    [InlineData(2_000UL)]
    [InlineData(2_001UL)]
    [InlineData(ulong.MaxValue)]
    public async Task SequenceWithoutARecord_ReadsAsNull(ulong sequence)
    {
        Write(2_000, s_asOf, Enumerable.Range(0, 1_000).Select(i => Record((ulong)(2 * i) + 1)).ToList());

        using var snapshotBase = SnapshotBase.Open(BasePath);

        Assert.Null(await snapshotBase.ReadAsync(sequence, CancellationToken.None));
    }

    [Fact]
    public async Task BaseWithoutRecords_OpensAndReadsNothing()
    {
        Write(5, asOf: null, records: [], config: [Config("12345")]);

        using var snapshotBase = SnapshotBase.Open(BasePath);

        Assert.Equal(5UL, snapshotBase.Sequence);
        Assert.Null(snapshotBase.AsOf);
        Assert.Empty(snapshotBase.ReadRecords());
        Assert.Empty(snapshotBase.ReadWindows());
        Assert.Single(snapshotBase.ReadConfig());
        Assert.Null(await snapshotBase.ReadAsync(5, CancellationToken.None));
    }

    [Fact]
    public void WriterDisposedBeforeComplete_LeavesNoBaseAndNoTemporaryFile()
    {
        Directory.CreateDirectory(_folder);
        using (var writer = SnapshotBaseWriter.Create(BasePath, 10, s_asOf))
        {
            writer.AddRecord(Record(3));
        }

        Assert.Empty(Directory.GetFiles(_folder));
        Assert.Null(SnapshotBase.TryOpen(BasePath));
    }

    [Fact]
    public void RecordsOutOfOrderOrAboveTheBase_AreRefused()
    {
        Directory.CreateDirectory(_folder);
        using var writer = SnapshotBaseWriter.Create(BasePath, 10, s_asOf);
        writer.AddRecord(Record(5));

        Assert.Throws<ArgumentException>(() => writer.AddRecord(Record(5)));
        Assert.Throws<ArgumentException>(() => writer.AddRecord(Record(4)));
        Assert.Throws<ArgumentException>(() => writer.AddRecord(Record(11)));
        Assert.Throws<InvalidOperationException>(() => writer.AddConfig(Config("12345")));
    }

    [Fact]
    public void FileCutShort_IsRefusedOnOpen()
    {
        Write(100, s_asOf, Enumerable.Range(1, 50).Select(i => Record((ulong)i)).ToList());
        using (var stream = new FileStream(BasePath, FileMode.Open))
        {
            stream.SetLength(stream.Length - 3);
        }

        Assert.Throws<InvalidDataException>(() => SnapshotBase.Open(BasePath));
    }

    [Fact]
    public async Task RecordChangedOnDisk_FailsItsChecksumOnRead()
    {
        Write(100, s_asOf, Enumerable.Range(1, 50).Select(i => Record((ulong)i)).ToList());
        // The reason text of record 20, somewhere inside its frame.
        var offset = IndexOf(await File.ReadAllBytesAsync(BasePath), "reason 20."u8);
        Assert.True(offset > 0);
        using (var stream = new FileStream(BasePath, FileMode.Open))
        {
            stream.Position = offset;
            stream.WriteByte((byte)'X');
        }

        using var reopened = SnapshotBase.Open(BasePath);
        Assert.NotNull(await reopened.ReadAsync(19, CancellationToken.None));
        await Assert.ThrowsAsync<DataDamagedException>(async () => await reopened.ReadAsync(20, CancellationToken.None));
        Assert.Throws<DataDamagedException>(() => reopened.ReadRecords().ToList());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private void Write(ulong sequence, DateTime? asOf, List<LogEntry> records, SnapshotItem[]? config = null, SnapshotItem[]? windows = null)
    {
        using var writer = SnapshotBaseWriter.Create(BasePath, sequence, asOf);
        foreach (var item in config ?? [])
        {
            writer.AddConfig(item);
        }

        foreach (var item in windows ?? [])
        {
            writer.AddWindow(item);
        }

        foreach (var record in records)
        {
            writer.AddRecord(record);
        }

        writer.Complete();
        Assert.Equal([SnapshotBase.FileName], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    private static LogEntry Record(ulong sequence) => new()
    {
        Record = new ChangeRecord
        {
            Sequence = sequence,
            TenantId = "acme",
            Sender = "12345",
            Recipient = "+1415555" + (sequence % 10_000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
            Action = ChangeAction.OptOut,
            Scope = Scope.Sender,
            Source = Source.MoKeyword,
            Reason = $"reason {sequence}.",
            CarrierMessageId = "mo-" + sequence,
            ActorKeyId = "carrier",
            EventTime = Timestamp.FromDateTime(s_asOf.AddMinutes(-(double)sequence)),
        },
        PreviousForRecipient = sequence > 1 ? sequence - 1 : 0,
    };

    private static SnapshotItem Config(string sender) => new() { TenantId = "acme", InboundAddress = new InboundAddress { Sender = sender, UpdateSequence = 1 } };

    private static SnapshotItem Window(string recipient) => new()
    {
        TenantId = "acme",
        ConfirmationWindow = new ConfirmationWindow { Sender = "12345", Recipient = recipient, ExpireTime = Timestamp.FromDateTime(s_asOf.AddMinutes(5)) },
    };

    private static long IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
