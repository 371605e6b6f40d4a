using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Snapshots;

/// <summary>
/// Writes a snapshot base file (<see cref="SnapshotBaseFormat"/>) in one pass: configuration items, then confirmation
/// windows, then the records in ascending sequence, then <see cref="Complete"/>. Everything goes to
/// <c>&lt;path&gt;.tmp</c> (the table rows to a side file, so memory stays one fence per
/// <see cref="SnapshotBaseFormat.FenceStride"/> records whatever the size); <see cref="Complete"/> fsyncs the file and
/// renames it into place, so a reader finds either no file or a whole one. Disposing without completing deletes the
/// temporary files.
/// </summary>
internal sealed class SnapshotBaseWriter : IDisposable
{
    private readonly string _path;
    private readonly string _temporary;
    private readonly string _tablePath;
    private readonly ulong _sequence;
    private readonly long _asOfTicks;
    private readonly FileStream _file;
    private readonly FileStream _table;
    private readonly List<ulong> _fences = [];
    private readonly byte[] _row = new byte[SnapshotBaseFormat.TableRowSize];
    private Phase _phase = Phase.Config;
    private long _configCount;
    private long _windowCount;
    private long _recordCount;
    private long _recordsOffset;
    private ulong _lastSequence;
    private bool _completed;

    private SnapshotBaseWriter(string path, ulong sequence, DateTime? asOf)
    {
        _path = path;
        _temporary = path + ".tmp";
        _tablePath = path + ".table.tmp";
        _sequence = sequence;
        _asOfTicks = asOf is { } time ? DateTime.SpecifyKind(time, DateTimeKind.Utc).Ticks : 0;
        _file = new FileStream(_temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        try
        {
            _table = new FileStream(_tablePath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        }
        catch
        {
            _file.Dispose();
            throw;
        }

        _file.Write(new byte[SnapshotBaseFormat.HeaderSize]);
    }

    private enum Phase
    {
        Config,
        Windows,
        Records,
    }

    /// <summary>
    /// Starts a base of the state at <paramref name="sequence"/> for <paramref name="path"/>; <paramref name="asOf"/> is
    /// the receive time of record <paramref name="sequence"/> when known.
    /// </summary>
    public static SnapshotBaseWriter Create(string path, ulong sequence, DateTime? asOf)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfZero(sequence);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new SnapshotBaseWriter(path, sequence, asOf);
    }

    /// <summary>An inbound address, blocking rule or tenant policy item (before any window or record).</summary>
    public void AddConfig(SnapshotItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_phase != Phase.Config)
        {
            throw new InvalidOperationException("Configuration items come before windows and records.");
        }

        WriteItem(item);
        _configCount++;
    }

    /// <summary>A confirmation window item (after the configuration, before any record).</summary>
    public void AddWindow(SnapshotItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_phase == Phase.Records)
        {
            throw new InvalidOperationException("Windows come before records.");
        }

        _phase = Phase.Windows;
        WriteItem(item);
        _windowCount++;
    }

    /// <summary>A record at or below the base's sequence, above the previous one.</summary>
    public void AddRecord(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var sequence = entry.Record?.Sequence ?? 0;
        if (sequence == 0 || sequence > _sequence || sequence <= _lastSequence)
        {
            throw new ArgumentException($"Record {sequence} is not above {_lastSequence} and at most {_sequence}.", nameof(entry));
        }

        if (_phase != Phase.Records)
        {
            _phase = Phase.Records;
            _recordsOffset = _file.Position;
        }

        if (_recordCount % SnapshotBaseFormat.FenceStride == 0)
        {
            _fences.Add(sequence);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(_row, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(_row.AsSpan(8), _file.Position);
        _table.Write(_row);

        var size = entry.CalculateSize();
        var frameLength = LogEntryFrame.HeaderSize + size;
        var buffer = ArrayPool<byte>.Shared.Rent(4 + frameLength);
        try
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer, frameLength);
            LogEntryFrame.Write(buffer.AsSpan(4), sequence, entry, size);
            _file.Write(buffer, 0, 4 + frameLength);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _lastSequence = sequence;
        _recordCount++;
    }

    /// <summary>Writes the table and the header, and makes the file durable under its name before returning.</summary>
    public void Complete()
    {
        if (_completed)
        {
            throw new InvalidOperationException("Already completed.");
        }

        if (_phase != Phase.Records)
        {
            _recordsOffset = _file.Position;
        }

        var tableOffset = _file.Position;
        _table.Flush();
        _table.Position = 0;
        _table.CopyTo(_file);
        var fence = new byte[8];
        foreach (var sequence in _fences)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(fence, sequence);
            _file.Write(fence);
        }

        var header = new byte[SnapshotBaseFormat.HeaderSize];
        SnapshotBaseFormat.WriteHeader(header, new SnapshotBaseHeader(
            _sequence, _asOfTicks, _configCount, _windowCount, _recordCount, _recordsOffset, tableOffset, _file.Position));
        _file.Position = 0;
        _file.Write(header);
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        _table.Dispose();

        File.Move(_temporary, _path, overwrite: true);
        FileSystemSync.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        _completed = true;
    }

    public void Dispose()
    {
        _file.Dispose();
        _table.Dispose();
        if (!_completed)
        {
            File.Delete(_temporary);
        }
    }

    private void WriteItem(SnapshotItem item)
    {
        var bytes = item.ToByteArray();
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, bytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix[4..], LogEntryFrame.Crc32C(bytes));
        _file.Write(prefix);
        _file.Write(bytes);
    }
}
