using System.Buffers.Binary;
using OptOutGate.Engine.Storage.Log;

namespace OptOutGate.Engine.Snapshots;

/// <summary>
/// The layout of a snapshot base file (<see cref="SnapshotBase"/>, written by <see cref="SnapshotBaseWriter"/>), all
/// integers little-endian:
/// <code>
/// [0..80)            header: magic, format, sequence N, receive time of record N (UTC ticks, 0 = unknown), counts of
///                    configuration items, confirmation windows and records, offsets of the records and of the table,
///                    the file's length, CRC-32C of the header
/// [80..records)      configuration items, then confirmation windows: [u32 length][u32 CRC-32C][SnapshotItem]
/// [records..table)   records in ascending sequence: [u32 length][LogEntryFrame] (its own CRC-32C and sequence)
/// [table..fences)    one (u64 sequence, u64 offset of the record) per record, ascending
/// [fences..end)      the sequence of every <see cref="FenceStride"/>-th table row: held in memory, so a point read
///                    costs one read of a table block and one of the record
/// </code>
/// </summary>
internal static class SnapshotBaseFormat
{
    public const uint Magic = 0x5341_4253; // "SBAS"
    public const int Version = 1;
    public const int HeaderSize = 80;
    public const int TableRowSize = 16;
    public const int FenceStride = 128;

    /// <summary>Largest item or record accepted on reading (the log's own record limit is far below).</summary>
    public const int MaxFrameBytes = 16 << 20;

    public static void WriteHeader(Span<byte> header, in SnapshotBaseHeader h)
    {
        header.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], h.Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], h.AsOfTicks);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], h.ConfigCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], h.WindowCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[40..], h.RecordCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[48..], h.RecordsOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header[56..], h.TableOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header[64..], h.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[72..], LogEntryFrame.Crc32C(header[..72]));
    }

    /// <exception cref="InvalidDataException">Not a header of this format, or it fails its checksum.</exception>
    public static SnapshotBaseHeader ReadHeader(ReadOnlySpan<byte> header, string path)
    {
        if (header.Length < HeaderSize
            || BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic
            || BinaryPrimitives.ReadInt32LittleEndian(header[4..]) != Version
            || BinaryPrimitives.ReadUInt32LittleEndian(header[72..]) != LogEntryFrame.Crc32C(header[..72]))
        {
            throw new InvalidDataException($"{path} is not a snapshot base of format {Version}, or its header fails its checksum.");
        }

        return new SnapshotBaseHeader(
            BinaryPrimitives.ReadUInt64LittleEndian(header[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[40..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[48..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[56..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[64..]));
    }

    public static long FenceCount(long records) => (records + FenceStride - 1) / FenceStride;
}

/// <summary>The header fields of a snapshot base (see <see cref="SnapshotBaseFormat"/>).</summary>
internal readonly record struct SnapshotBaseHeader(
    ulong Sequence, long AsOfTicks, long ConfigCount, long WindowCount, long RecordCount, long RecordsOffset, long TableOffset, long Length);
