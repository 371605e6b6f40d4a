using System.Buffers.Binary;
using Google.Protobuf;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Storage.State;
using EntryKind = OptOutGate.Contracts.V1.EntryKind;

namespace OptOutGate.Engine.Snapshots;

/// <summary>
/// Turns one GetSnapshot stream into a snapshot base file. The chunks arrive in no particular order and may
/// hold millions of entries, so each entry becomes its history record at once (rebuilt from the Entry's fields) and
/// goes to a download file beside the base, with only its (sequence, offset) kept in memory (16 bytes);
/// <see cref="Complete"/> then writes the base with the records in ascending sequence, chaining each (tenant,
/// recipient)'s records through previous_for_recipient (a map of one slot per recipient while it writes: about what
/// the engine's history heads hold for them afterwards). Nothing counts until <see cref="Complete"/> has renamed the
/// base into place: a stream that ends in error is discarded by disposing the builder, which deletes the download.
/// </summary>
internal sealed class SnapshotBaseBuilder : IDisposable
{
    private readonly string _path;
    private readonly string _downloadPath;
    private readonly FileStream _download;
    private readonly List<SnapshotItem> _config = [];
    private readonly List<SnapshotItem> _windows = [];
    private readonly List<(ulong Sequence, long Offset)> _records = [];
    private bool _started;

    /// <param name="path">Where the base goes (<see cref="GateEngine.SnapshotBasePath"/>).</param>
    public SnapshotBaseBuilder(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
        _downloadPath = path + ".download";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _download = new FileStream(_downloadPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
    }

    /// <summary>The sequence the snapshot reflects (0 until the first chunk, and for a primary that has no records).</summary>
    public ulong Sequence { get; private set; }

    public int ConfigItems => _config.Count;

    public int Windows => _windows.Count;

    public int Entries => _records.Count;

    /// <summary>Takes one chunk of the stream.</summary>
    /// <exception cref="InvalidDataException">The chunk names another sequence than the first, or holds an item that is not valid.</exception>
    public void Add(GetSnapshotResponse chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (!_started)
        {
            (_started, Sequence) = (true, chunk.Sequence);
        }
        else if (chunk.Sequence != Sequence)
        {
            throw new InvalidDataException($"A snapshot chunk names sequence {chunk.Sequence}, the first named {Sequence}.");
        }

        foreach (var item in chunk.Items)
        {
            if (item.TenantId.Length == 0)
            {
                throw new InvalidDataException("A snapshot item has no tenant.");
            }

            switch (item.ItemCase)
            {
                case SnapshotItem.ItemOneofCase.InboundAddress:
                case SnapshotItem.ItemOneofCase.BlockingRule:
                case SnapshotItem.ItemOneofCase.TenantPolicy:
                case SnapshotItem.ItemOneofCase.WebhookSubscription:
                    _config.Add(item);
                    break;
                case SnapshotItem.ItemOneofCase.ConfirmationWindow:
                    _windows.Add(item);
                    break;
                case SnapshotItem.ItemOneofCase.Entry:
                    Stage(item.TenantId, item.Entry);
                    break;
                default:
                    throw new InvalidDataException($"A snapshot item of kind {item.ItemCase}.");
            }
        }
    }

    /// <summary>
    /// Writes the base (<see cref="SnapshotBaseWriter"/>): durable under its name when this returns.
    /// <paramref name="asOf"/> is the primary's receive time of record <see cref="Sequence"/>.
    /// </summary>
    public void Complete(DateTime? asOf)
    {
        if (Sequence == 0)
        {
            throw new InvalidOperationException("A snapshot at sequence 0 has no state to keep.");
        }

        _download.Flush();
        _records.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        using var writer = SnapshotBaseWriter.Create(_path, Sequence, asOf);
        foreach (var item in _config)
        {
            writer.AddConfig(item);
        }

        foreach (var item in _windows)
        {
            writer.AddWindow(item);
        }

        // The newest record so far of each (tenant, recipient): what the next one of it points back at.
        var tenants = new Dictionary<string, int>(StringComparer.Ordinal);
        var previous = new Dictionary<(int Tenant, ulong Recipient), ulong>();
        var buffer = new byte[4096];
        ulong last = 0;
        foreach (var (sequence, offset) in _records)
        {
            if (sequence == last)
            {
                throw new InvalidDataException($"Two entries of the snapshot name history record {sequence}.");
            }

            var entry = ReadStaged(offset, ref buffer);
            var record = entry.Record;
            if (!tenants.TryGetValue(record.TenantId, out var tenant))
            {
                tenant = tenants.Count;
                tenants.Add(record.TenantId, tenant);
            }

            _ = E164.TryParse(record.Recipient, out var recipient);
            var key = (tenant, recipient);
            entry.PreviousForRecipient = previous.GetValueOrDefault(key);
            previous[key] = sequence;
            writer.AddRecord(entry);
            last = sequence;
        }

        writer.Complete();
    }

    public void Dispose() => _download.Dispose();

    private void Stage(string tenant, Entry entry)
    {
        var action = entry.Kind switch
        {
            EntryKind.OptOut => ChangeAction.OptOut,
            EntryKind.Suppression => ChangeAction.Suppress,
            EntryKind.Bypass => ChangeAction.BypassAdd,
            EntryKind.AddressOptIn => ChangeAction.OptIn,
            _ => ChangeAction.Unspecified,
        };
        if (action == ChangeAction.Unspecified
            || entry.Sequence == 0 || entry.Sequence > Sequence
            || !E164.TryParse(entry.Recipient, out _)
            || !EntryTarget.TryResolve(entry.Scope, entry.Sender, entry.App, out _, out _))
        {
            throw new InvalidDataException($"The snapshot entry of history record {entry.Sequence} is not valid at sequence {Sequence}.");
        }

        // The fields EntryViews.FromRecord reads back: the entry as the primary showed it.
        var record = new ChangeRecord
        {
            Sequence = entry.Sequence,
            EventTime = entry.UpdateTime,
            TenantId = tenant,
            Sender = entry.Sender,
            Recipient = entry.Recipient,
            App = entry.App,
            Action = action,
            Scope = entry.Scope,
            Source = entry.Source,
            Reason = entry.Reason,
            CarrierMessageId = entry.CarrierMessageId,
            ActorKeyId = entry.ActorKeyId,
            MoText = entry.MoText,
            MatchedKeyword = entry.MatchedKeyword,
        };
        record.SmsTypes.AddRange(entry.SmsTypes);
        if (entry.Kind == EntryKind.AddressOptIn)
        {
            // An address opt-in is the record of the opt-in that made it (EntryKinds.TryEntryOf reads it back).
            record.LiftsTenantOptOut = true;
            record.KeywordEffect = KeywordEffect.Unchanged;
        }

        var bytes = new LogEntry { Record = record }.ToByteArray();
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        _records.Add((entry.Sequence, _download.Position));
        _download.Write(length);
        _download.Write(bytes);
    }

    private LogEntry ReadStaged(long offset, ref byte[] buffer)
    {
        Span<byte> prefix = stackalloc byte[4];
        RandomAccess.Read(_download.SafeFileHandle, prefix, offset);
        var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        }

        var read = RandomAccess.Read(_download.SafeFileHandle, buffer.AsSpan(0, length), offset + 4);
        return read == length
            ? LogEntry.Parser.ParseFrom(buffer, 0, length)
            : throw new InvalidDataException($"The snapshot download {_downloadPath} is truncated.");
    }
}
