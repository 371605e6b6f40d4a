using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Tests.Storage.Log;

/// <summary>A change log folder in the temp directory, deleted at the end of the test.</summary>
internal sealed class ChangeLogFixture : IDisposable
{
    public ChangeLogFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "optoutgate-log-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>The first segment file of the live log.</summary>
    public string SegmentFile => Path.Combine(Root, "active", "changes.log.0");

    /// <summary>The live log's saved sequence map.</summary>
    public string SequenceMapFile => Path.Combine(Root, "active", "sequence-map.bin");

    public ChangeLogOptions Options { get; } = new();

    public Task<ChangeLog> OpenAsync(TimeProvider? time = null)
    {
        Options.Directory = Root;
        return ChangeLog.OpenAsync(Options, NullLogger.Instance, time ?? TimeProvider.System, CancellationToken.None);
    }

    public static LogEntry Entry(string recipient, string reason = "") => new()
    {
        Record = new ChangeRecord
        {
            TenantId = "tenant-a",
            Sender = "12345",
            Recipient = recipient,
            Action = ChangeAction.OptOut,
            Reason = reason,
            MoText = "STOP please, this makes the record about two hundred bytes long with the other fields " + reason,
        },
    };

    public static async Task<List<LogEntry>> ReadAllAsync(ChangeLog log, ulong from = 1, ulong to = ulong.MaxValue)
    {
        var list = new List<LogEntry>();
        await foreach (var entry in log.ReadAsync(from, to, CancellationToken.None))
        {
            list.Add(entry);
        }

        return list;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock the test moves by hand (also backwards).</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public void Set(DateTimeOffset now) => _now = now;

    public override DateTimeOffset GetUtcNow() => _now;
}
