using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Snapshots;

/// <summary>
/// The state a replica was bootstrapped from: the primary's snapshot at sequence <see cref="Sequence"/>,
/// kept in the replica's data folder (<see cref="SnapshotBaseFormat"/>). It holds the configuration items and open
/// confirmation windows of the snapshot, and for every entry a history record rebuilt from the snapshot's Entry (kind,
/// scope, sender, recipient, app, SMS types, source, reason, update time, sequence, carrier message id, actor), since
/// the replica's log starts at <see cref="Sequence"/> + 1 and does not hold the records the entries point at.
/// </summary>
/// <remarks>
/// Records of one (tenant, recipient) are chained through previous_for_recipient, like the log's, so a point-in-time
/// check walks from the log into the base; nothing else is chained (history listings stop at the log's first record).
/// Point reads (<see cref="ReadAsync"/>) cost one read of a table block and one of the record, with only one fence per
/// <see cref="SnapshotBaseFormat.FenceStride"/> records in memory (80 KB for 10 million records). Thread-safe.
/// </remarks>
internal sealed class SnapshotBase : ILogBase
{
    /// <summary>The file's name in the <c>snapshot/</c> folder of a data directory.</summary>
    public const string FileName = "base.bin";

    private readonly SafeFileHandle _handle;
    private readonly SnapshotBaseHeader _header;
    private readonly ulong[] _fences;

    private SnapshotBase(string path, SafeFileHandle handle, SnapshotBaseHeader header, ulong[] fences)
    {
        Path = path;
        _handle = handle;
        _header = header;
        _fences = fences;
    }

    public string Path { get; }

    /// <summary>The sequence the base reflects: every record up to it applied, none after.</summary>
    public ulong Sequence => _header.Sequence;

    /// <summary>The primary's receive time of record <see cref="Sequence"/>, when it was known at bootstrap.</summary>
    public DateTime? AsOf => _header.AsOfTicks > 0 ? new DateTime(_header.AsOfTicks, DateTimeKind.Utc) : null;

    public long RecordCount => _header.RecordCount;

    public long ConfigCount => _header.ConfigCount;

    public long WindowCount => _header.WindowCount;

    /// <summary>The base at <paramref name="path"/>, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not a whole snapshot base.</exception>
    public static SnapshotBase? TryOpen(string path) => File.Exists(path) ? Open(path) : null;

    /// <exception cref="InvalidDataException">The file is not a whole snapshot base.</exception>
    public static SnapshotBase Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var bytes = new byte[SnapshotBaseFormat.HeaderSize];
            var length = RandomAccess.GetLength(handle);
            if (length < bytes.Length || RandomAccess.Read(handle, bytes, 0) != bytes.Length)
            {
                throw new InvalidDataException($"{path} is too short to be a snapshot base.");
            }

            var header = SnapshotBaseFormat.ReadHeader(bytes, path);
            var fenceCount = SnapshotBaseFormat.FenceCount(header.RecordCount);
            var fencesOffset = header.TableOffset + (header.RecordCount * SnapshotBaseFormat.TableRowSize);
            if (header.Sequence == 0 || header.Length != length || header.RecordCount < 0
                || header.RecordsOffset < SnapshotBaseFormat.HeaderSize || header.TableOffset < header.RecordsOffset
                || fencesOffset + (fenceCount * 8) != length)
            {
                throw new InvalidDataException($"{path} is not a whole snapshot base: its length or sections do not add up.");
            }

            var fenceBytes = new byte[fenceCount * 8];
            if (RandomAccess.Read(handle, fenceBytes, fencesOffset) != fenceBytes.Length)
            {
                throw new InvalidDataException($"{path} is truncated.");
            }

            var fences = new ulong[fenceCount];
            for (var i = 0; i < fences.Length; i++)
            {
                fences[i] = BinaryPrimitives.ReadUInt64LittleEndian(fenceBytes.AsSpan(i * 8));
            }

            return new SnapshotBase(path, handle, header, fences);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The configuration items (inbound addresses, blocking rules, tenant policies), in file order.</summary>
    public IEnumerable<SnapshotItem> ReadConfig() => ReadItems(SnapshotBaseFormat.HeaderSize, _header.ConfigCount, skip: 0);

    /// <summary>The open confirmation windows, in file order.</summary>
    public IEnumerable<SnapshotItem> ReadWindows() => ReadItems(SnapshotBaseFormat.HeaderSize, _header.WindowCount, skip: _header.ConfigCount);

    /// <summary>Every record in ascending sequence (for loading the base into an engine).</summary>
    /// <exception cref="DataDamagedException">A record fails its checksum or is out of order.</exception>
    public IEnumerable<LogEntry> ReadRecords()
    {
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        stream.Position = _header.RecordsOffset;
        ulong last = 0;
        var buffer = new byte[4096];
        for (long i = 0; i < _header.RecordCount; i++)
        {
            var length = ReadLength(stream);
            if (buffer.Length < length)
            {
                buffer = new byte[Math.Max(length, buffer.Length * 2)];
            }

            stream.ReadExactly(buffer, 0, length);
            var frame = buffer.AsSpan(0, length);
            if (!LogEntryFrame.TryCheck(frame, out var sequence) || sequence <= last || sequence > Sequence || !LogEntryFrame.TryParse(frame, sequence, out var entry))
            {
                throw new DataDamagedException(
                    $"The snapshot base {Path} is damaged: its record {i} (after sequence {last}) fails its checksum or is out of order. {DataDamagedException.Remedy}.",
                    Path,
                    last + 1);
            }

            last = sequence;
            yield return entry;
        }
    }

    /// <summary>The record of <paramref name="sequence"/>, or null when the base holds none for it.</summary>
    /// <exception cref="DataDamagedException">The record no longer matches its checksum (the disk changed under it).</exception>
    public async ValueTask<LogEntry?> ReadAsync(ulong sequence, CancellationToken ct)
    {
        if (!TryFindBlock(sequence, out var block))
        {
            return null;
        }

        var first = (long)block * SnapshotBaseFormat.FenceStride;
        var rows = (int)Math.Min(SnapshotBaseFormat.FenceStride, _header.RecordCount - first);
        var table = ArrayPool<byte>.Shared.Rent(rows * SnapshotBaseFormat.TableRowSize);
        long offset;
        try
        {
            var bytes = table.AsMemory(0, rows * SnapshotBaseFormat.TableRowSize);
            await ReadExactlyAsync(bytes, _header.TableOffset + (first * SnapshotBaseFormat.TableRowSize), ct);
            if (!TryFindRow(bytes.Span, sequence, out offset))
            {
                return null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(table);
        }

        return await ReadRecordAsync(sequence, offset, ct);
    }

    /// <exception cref="DataDamagedException">The record fails its checksum or its length is impossible.</exception>
    private async ValueTask<LogEntry> ReadRecordAsync(ulong sequence, long offset, CancellationToken ct)
    {
        var prefix = new byte[4];
        await ReadExactlyAsync(prefix, offset, ct);
        var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length < LogEntryFrame.HeaderSize || length > SnapshotBaseFormat.MaxFrameBytes)
        {
            throw Damaged(sequence, offset, "its length is impossible");
        }

        var frame = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            await ReadExactlyAsync(frame.AsMemory(0, length), offset + 4, ct);
            var span = frame.AsSpan(0, length);
            if (!LogEntryFrame.TryCheck(span, out var found) || found != sequence || !LogEntryFrame.TryParse(span, sequence, out var entry))
            {
                throw Damaged(sequence, offset, "it is not that record or fails its checksum");
            }

            return entry;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    private DataDamagedException Damaged(ulong sequence, long offset, string why) =>
        new($"The snapshot base record of sequence {sequence} is damaged in {Path} at byte {offset}: {why}. It cannot be read. {DataDamagedException.Remedy}.", Path, sequence);

    /// <summary>
    /// The records with a sequence of <paramref name="fromSequence"/> or more, in ascending sequence: a seek through the
    /// in-memory fences to the table block, then the table rows and their records in order (lists that page by sequence).
    /// </summary>
    /// <exception cref="DataDamagedException">A record fails its checksum.</exception>
    public async IAsyncEnumerable<LogEntry> ReadFromAsync(ulong fromSequence, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var fences = _fences;
        if (fences.Length == 0 || fromSequence > Sequence)
        {
            yield break;
        }

        var row = TryFindBlock(Math.Max(fromSequence, fences[0]), out var block) ? (long)block * SnapshotBaseFormat.FenceStride : 0;
        var rows = new byte[SnapshotBaseFormat.FenceStride * SnapshotBaseFormat.TableRowSize];
        while (row < _header.RecordCount)
        {
            var count = (int)Math.Min(SnapshotBaseFormat.FenceStride, _header.RecordCount - row);
            var bytes = rows.AsMemory(0, count * SnapshotBaseFormat.TableRowSize);
            await ReadExactlyAsync(bytes, _header.TableOffset + (row * SnapshotBaseFormat.TableRowSize), ct);
            for (var i = 0; i < count; i++)
            {
                var entry = bytes.Span.Slice(i * SnapshotBaseFormat.TableRowSize, SnapshotBaseFormat.TableRowSize);
                var sequence = BinaryPrimitives.ReadUInt64LittleEndian(entry);
                if (sequence >= fromSequence)
                {
                    yield return await ReadRecordAsync(sequence, BinaryPrimitives.ReadInt64LittleEndian(entry[8..]), ct);
                }
            }

            row += count;
        }
    }

    public void Dispose() => _handle.Dispose();

    private static bool TryFindRow(ReadOnlySpan<byte> rows, ulong sequence, out long offset)
    {
        int low = 0, high = (rows.Length / SnapshotBaseFormat.TableRowSize) - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var row = rows.Slice(middle * SnapshotBaseFormat.TableRowSize, SnapshotBaseFormat.TableRowSize);
            var found = BinaryPrimitives.ReadUInt64LittleEndian(row);
            if (found == sequence)
            {
                offset = BinaryPrimitives.ReadInt64LittleEndian(row[8..]);
                return true;
            }

            if (found < sequence)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        offset = 0;
        return false;
    }

    private static int ReadLength(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[4];
        stream.ReadExactly(prefix);
        var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        return length is >= 0 and <= SnapshotBaseFormat.MaxFrameBytes
            ? length
            : throw new InvalidDataException($"A snapshot base frame has a bad length ({length}).");
    }

    /// <summary>The table block whose first sequence is the last fence at or below <paramref name="sequence"/>.</summary>
    private bool TryFindBlock(ulong sequence, out int block)
    {
        var fences = _fences;
        if (sequence == 0 || sequence > Sequence || fences.Length == 0 || sequence < fences[0])
        {
            block = 0;
            return false;
        }

        int low = 0, high = fences.Length - 1;
        while (low < high)
        {
            var middle = low + ((high - low + 1) >> 1);
            if (fences[middle] <= sequence)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        block = low;
        return true;
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> buffer, long offset, CancellationToken ct)
    {
        while (buffer.Length > 0)
        {
            var read = await RandomAccess.ReadAsync(_handle, buffer, offset, ct);
            if (read == 0)
            {
                throw new InvalidDataException($"{Path} is truncated at offset {offset}.");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    private IEnumerable<SnapshotItem> ReadItems(long offset, long count, long skip)
    {
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        stream.Position = offset;
        var crc = new byte[4];
        for (long i = 0; i < skip + count; i++)
        {
            var length = ReadLength(stream);
            stream.ReadExactly(crc);
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            if (i < skip)
            {
                continue;
            }

            if (BinaryPrimitives.ReadUInt32LittleEndian(crc) != LogEntryFrame.Crc32C(bytes))
            {
                throw new InvalidDataException($"{Path}: item {i} fails its checksum.");
            }

            SnapshotItem item;
            try
            {
                item = SnapshotItem.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new InvalidDataException($"{Path}: item {i} does not parse.", e);
            }

            yield return item;
        }
    }
}
